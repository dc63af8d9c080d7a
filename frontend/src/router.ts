import { createRouter, createWebHistory } from 'vue-router'
import KioskLayout from './views/kiosk/KioskLayout.vue'
import HomeView from './views/kiosk/HomeView.vue'
import ServiceView from './views/kiosk/ServiceView.vue'
import PriorityView from './views/kiosk/PriorityView.vue'
import TicketView from './views/kiosk/TicketView.vue'
import VisitView from './views/kiosk/visit/VisitView.vue'
import AppointmentView from './views/kiosk/appointment/AppointmentView.vue'
import LookupShell from './views/kiosk/lookup/LookupShell.vue'
import LookupStart from './views/kiosk/lookup/LookupStart.vue'
import WizardView from './views/kiosk/lookup/WizardView.vue'
import PersonalView from './views/kiosk/lookup/PersonalView.vue'
import StaffView from './views/staff/StaffView.vue'
import SyncView from './views/sync/SyncView.vue'
import LedgerView from './views/ledger/LedgerView.vue'
import BoardView from './views/board/BoardView.vue'
import { DEFAULT_LOCALE } from './i18n'
import { locale, setLocale } from './stores/session'

/** router maps URLs to screens; the Go server answers index.html for all of them. */
export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    {
      path: '/',
      component: KioskLayout,
      children: [
        { path: '', alias: 'kiosk', name: 'home', component: HomeView },
        { path: 'kiosk/ticket', name: 'services', component: ServiceView },
        { path: 'kiosk/ticket/done/:id', name: 'ticket', component: TicketView, props: true },
        { path: 'kiosk/ticket/:letter', name: 'priority', component: PriorityView, props: true },
        {
          path: 'kiosk/lookup',
          component: LookupShell,
          children: [
            { path: '', name: 'lookup', component: LookupStart },
            { path: 'entitlements', name: 'lookup-wizard', component: WizardView },
            { path: 'card', name: 'lookup-card', component: PersonalView },
          ],
        },
        { path: 'kiosk/visit', name: 'visit', component: VisitView },
        { path: 'kiosk/appointment', name: 'appointment', component: AppointmentView },
        { path: 'kiosk/rate', name: 'rate-kiosk', component: () => import('./views/kiosk/RateKiosk.vue') },
      ],
    },
    { path: '/staff', name: 'staff', component: StaffView },
    { path: '/staff/sync', name: 'sync', component: SyncView },
    { path: '/staff/ledger', name: 'ledger', component: LedgerView },
    { path: '/staff/report', name: 'report', component: () => import('./views/report/ReportView.vue') },
    { path: '/staff/settings', name: 'settings', component: () => import('./views/staff/StaffSettings.vue') },
    { path: '/board', name: 'board', component: BoardView },
    { path: '/rate', name: 'rate', component: () => import('./views/rate/RateView.vue') },
    { path: '/staff/ratings', name: 'ratings', component: () => import('./views/staff/RatingCases.vue') },
    { path: '/staff/appointments', name: 'appointments', component: () => import('./views/staff/AppointmentsView.vue') },
    {
      path: '/staff/outreach',
      component: () => import('./views/outreach/OutreachView.vue'),
      children: [
        { path: '', name: 'outreach', component: () => import('./views/outreach/DueList.vue') },
        { path: 'campaigns', name: 'outreach-campaigns', component: () => import('./views/outreach/CampaignList.vue') },
        {
          path: 'campaigns/:campaign',
          name: 'outreach-campaign',
          component: () => import('./views/outreach/CampaignView.vue'),
          props: true,
        },
        {
          path: 'campaigns/:campaign/sheet',
          name: 'outreach-campaign-sheet',
          component: () => import('./views/outreach/CampaignSheet.vue'),
          props: true,
        },
        {
          path: ':household',
          name: 'outreach-household',
          component: () => import('./views/outreach/HouseholdView.vue'),
          props: true,
        },
        {
          path: ':household/record',
          name: 'outreach-record',
          component: () => import('./views/outreach/OutreachForm.vue'),
          props: true,
        },
        {
          path: ':household/entries/:entry/edit',
          name: 'outreach-edit',
          component: () => import('./views/outreach/EntryEdit.vue'),
          props: true,
        },
      ],
    },
    // A mistyped address on a kiosk must never end on a blank page.
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

// The staff screens are in Chinese or English: staff who take over a kiosk left in
// Mongolian (AdminExit → console) get Chinese, not a mixture.
router.beforeEach((to) => {
  if (to.path.startsWith('/staff') && locale() === 'mn-Mong') setLocale(DEFAULT_LOCALE)
})
