import { createRouter, createWebHistory } from 'vue-router'
import KioskLayout from './views/kiosk/KioskLayout.vue'
import HomeView from './views/kiosk/HomeView.vue'
import ServiceView from './views/kiosk/ServiceView.vue'
import PriorityView from './views/kiosk/PriorityView.vue'
import TicketView from './views/kiosk/TicketView.vue'
import ComingSoonView from './views/kiosk/ComingSoonView.vue'
import StaffView from './views/staff/StaffView.vue'
import BoardView from './views/board/BoardView.vue'

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
          name: 'lookup',
          component: ComingSoonView,
          props: { title: 'home.lookup' },
        },
        {
          path: 'kiosk/visit',
          name: 'visit',
          component: ComingSoonView,
          props: { title: 'home.visit' },
        },
      ],
    },
    { path: '/staff', name: 'staff', component: StaffView },
    { path: '/board', name: 'board', component: BoardView },
    // A mistyped address on a kiosk must never end on a blank page.
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})
