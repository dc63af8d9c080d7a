// The console's 走访慰问 (/staff/outreach): the three due lists (光荣牌待挂, 节日走访,
// 喜报待送), one household with its entries, and recording an entry there. Everything
// is masked as the station answers it; an admin's unmasking lasts while the household
// stays on screen.
import { reactive } from 'vue'
import * as api from '../api'
import { i18n } from '../i18n'
import { newRequestId } from './tickets'
import { station } from './station'
import { formatDate, todayIn } from '../dates'

/** DUE_KINDS are the due lists in the order the tabs show them. */
export const DUE_KINDS: api.DueKind[] = ['plaque', 'festival', 'honour']

/** KINDS are the kinds of entry in the order the form offers them. */
export const KINDS: api.OutreachKind[] = ['visit', 'call', 'plaque_hung', 'plaque_replaced', 'honour_delivered', 'follow_up']

/** FINDINGS are what staff may tick after a visit, in the form's order. */
export const FINDINGS: Finding[] = ['well', 'health', 'hardship', 'housing', 'medical', 'care', 'request', 'policy']

/** Finding is one of what staff may tick: 情况良好, 生活困难, … */
export type Finding = NonNullable<api.OutreachRequest['findings']>[number]

/** OutreachState is what the outreach screens show. */
export interface OutreachState {
  due: Record<api.DueKind, api.Household[] | null>
  dueError: string
  /**
   * The day from which a visit or call takes a household off the festival list
   * (YYYY-MM-DD): a campaign's first day, say 春节 from 2027-01-20. '' for the
   * county's rule (by default the last 60 days).
   */
  since: string
  /** Category code → its short name, from the catalog (GET /categories). */
  categories: Record<string, { name: string; full: string }>
  household: api.Household | null
  householdError: string
  entries: api.Outreach[] | null
  entriesError: string
  /** The id of the entry just recorded, so the household shows it as new. */
  justRecorded: string
}

/** outreach is the shared state of the outreach screens. */
export const outreach = reactive<OutreachState>({
  due: { plaque: null, festival: null, honour: null },
  dueError: '',
  since: '',
  categories: {},
  household: null,
  householdError: '',
  entries: null,
  entriesError: '',
  justRecorded: '',
})

let categoriesLocale = ''

/**
 * loadCategories reads the category names in the UI language, once per language. A
 * name's explanation in brackets (（伤残等级一级至十级）) is left to the full name, which
 * the chips carry as their title.
 */
export async function loadCategories(): Promise<void> {
  const lang = i18n.global.locale.value
  if (categoriesLocale === lang) return
  const c = await api.getCategories()
  outreach.categories = Object.fromEntries(
    c.categories.map((x) => [x.code, { name: x.name.split(/[（(]/)[0]!.trim() || x.name, full: x.name }]),
  )
  categoriesLocale = lang
}

/** categoryName is a category's short name, or a plain word for one the catalog lacks. */
export function categoryName(code: string): string {
  return outreach.categories[code]?.name ?? i18n.global.t('outreach.otherCategory')
}

/** whyName names a reason a household is due: a category, or a tag such as 独居老人. */
export function whyName(code: string): string {
  if (outreach.categories[code]) return outreach.categories[code].name
  const key = `outreach.tags.${code}`
  return i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t('outreach.tags.other')
}

let dueAsked = 0

/** loadDue reloads the three due lists at once: the tabs show each one's count. */
export async function loadDue(): Promise<void> {
  const asked = ++dueAsked
  try {
    const lists = await Promise.all(DUE_KINDS.map((k) => api.listDue(k, k === 'festival' ? outreach.since : '')))
    // A later load (another campaign day chosen meanwhile) wins.
    if (asked !== dueAsked) return
    DUE_KINDS.forEach((k, i) => (outreach.due[k] = lists[i] ?? []))
    outreach.dueError = ''
  } catch (e) {
    if (asked === dueAsked) outreach.dueError = (e as Error).message
  }
}

// The household asked for last: an answer for one left already is dropped.
let opening = ''

/**
 * openHousehold shows household id: at once from a due list when it is there, then
 * fresh from the station with its entries. A household unmasked already keeps its
 * names, phones and address in the clear; what the station did there is refreshed.
 */
export async function openHousehold(id: string): Promise<void> {
  opening = id
  if (outreach.household?.household !== id) {
    outreach.household = DUE_KINDS.map((k) => outreach.due[k]?.find((h) => h.household === id)).find(Boolean) ?? null
    outreach.entries = null
  }
  outreach.householdError = ''
  outreach.entriesError = ''
  const [h, list] = await Promise.allSettled([api.getHousehold(id), api.listOutreach(id)])
  if (opening !== id) return
  const shown = outreach.household
  if (h.status === 'rejected') outreach.householdError = (h.reason as Error).message
  else if (shown?.household === id && !shown.masked) {
    outreach.household = { ...h.value, address: shown.address, people: shown.people, phone: shown.phone, masked: false }
  } else outreach.household = h.value
  if (list.status === 'fulfilled') outreach.entries = list.value
  else outreach.entriesError = (list.reason as Error).message
}

/** unmaskHousehold shows the open household in the clear (admin; the reason is logged). */
export async function unmaskHousehold(reason: string): Promise<void> {
  const h = outreach.household
  if (!h) return
  outreach.household = await api.unmaskHousehold(h.household, reason)
}

/** closeHousehold forgets the household on screen, and with it any unmasking. */
export function closeHousehold(): void {
  opening = ''
  Object.assign(outreach, { household: null, householdError: '', entries: null, entriesError: '', justRecorded: '' })
}

/** EntryForm is what the entry form holds; one request id per form, so a double tap records once. */
export interface EntryForm {
  kind: api.OutreachKind | ''
  date: string
  team: string[]
  /** A name typed and not yet added: it goes with the entry too. */
  newMember: string
  /** Yuan as typed; a number field may hand it over as a number. */
  money: string | number
  items: string
  findings: Finding[]
  note: string
  followUp: string
  honour: string
  /** base64 JPEG, '' for none. */
  photo: string
  /** base64 PNG, '' for none. */
  signature: string
  /** The campaign the entry counts for, '' for none. */
  campaign: string
  requestId: string
}

/** stationToday is today at the station, for the form's date and its limit. */
export function stationToday(): string {
  return todayIn(station.info?.timezone)
}

/** emptyEntry is a fresh form: today, the logged-in staff member on the team. */
export function emptyEntry(me: string, kind: api.OutreachKind | '' = ''): EntryForm {
  return {
    kind,
    date: stationToday(),
    team: me ? [me] : [],
    newMember: '',
    money: '',
    items: '',
    findings: [],
    note: '',
    followUp: '',
    honour: '',
    photo: '',
    signature: '',
    campaign: '',
    requestId: newRequestId(),
  }
}

/**
 * recordEntry sends the form for household and reloads what it changes: the
 * household's entries (the new one on top) and the due lists it may leave. The
 * station judges every field; its translated message is thrown as it is.
 */
export async function recordEntry(household: string, f: EntryForm): Promise<api.Outreach> {
  const team = [...f.team, f.newMember].map((n) => n.trim()).filter(Boolean)
  const typed = String(f.money).trim()
  const money = typed === '' ? 0 : Math.round(Number(typed))
  const req: api.OutreachRequest = {
    request_id: f.requestId,
    kind: f.kind as api.OutreachKind,
    household,
    date: f.date,
    team,
    money: Number.isFinite(money) ? money : -1,
    items: f.items,
    findings: f.findings,
    note: f.note,
    follow_up: f.followUp,
  }
  if (f.kind === 'honour_delivered') req.honour = f.honour
  if (f.photo) req.photo = f.photo
  if (f.signature) req.signature = f.signature
  if (f.campaign) req.campaign = f.campaign
  const o = await api.recordOutreach(req)
  outreach.justRecorded = o.id
  await Promise.all([openHousehold(household), loadDue()])
  return o
}

/** relationName says how a person is related to the service member, '' when unknown. */
export function relationName(r: string | undefined): string {
  const key = `outreach.relations.${r}`
  return r && i18n.global.te(key) ? i18n.global.t(key) : ''
}

/** honourLine names a 喜报: 三等功喜报（2026年10月6日收到）. */
export function honourLine(h: api.Honour): string {
  const t = i18n.global.t
  return t('outreach.honourLine', { award: t('outreach.awards.' + h.award), date: formatDate(h.received, i18n.global.locale.value) })
}

/** unmaskEntry returns an entry with its photo and signature (admin; the reason is logged). */
export function unmaskEntry(id: string, reason: string): Promise<api.Outreach> {
  return api.unmaskOutreach(id, reason)
}

/** EntryEdit is what the edit form holds: the fields an entry may change. */
export interface EntryEdit {
  date: string
  /** The team as shown (masked) until staff replace it with names typed anew. */
  team: string[]
  teamReplaced: boolean
  newMember: string
  money: string | number
  items: string
  findings: Finding[]
  note: string
  followUp: string
}

/** editOf fills the edit form from entry o as the station shows it. */
export function editOf(o: api.Outreach): EntryEdit {
  return {
    date: o.date,
    team: [...o.team],
    teamReplaced: false,
    newMember: '',
    money: o.money ? o.money : '',
    items: o.items,
    findings: [...o.findings] as Finding[],
    note: o.note,
    followUp: o.follow_up,
  }
}

/**
 * updateEntry sends what changed on entry o with its version: the team only when staff
 * replaced it, since the names on screen are masked. A 409 (someone else changed it
 * meanwhile) reloads the household and says so.
 */
export async function updateEntry(o: api.Outreach, f: EntryEdit): Promise<void> {
  const typed = String(f.money).trim()
  const money = typed === '' ? 0 : Math.round(Number(typed))
  const patch: api.OutreachPatch = { version: o.version }
  if (f.date !== o.date) patch.date = f.date
  if (f.teamReplaced) patch.team = [...f.team, f.newMember].map((n) => n.trim()).filter(Boolean)
  if (money !== o.money) patch.money = Number.isFinite(money) ? money : -1
  if (f.items !== o.items) patch.items = f.items
  if (f.findings.join(',') !== o.findings.join(',')) patch.findings = f.findings
  if (f.note !== o.note) patch.note = f.note
  if (f.followUp !== o.follow_up) patch.follow_up = f.followUp
  try {
    await api.updateOutreach(o.id, patch)
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 409) {
      await openHousehold(o.household)
      throw new Error(i18n.global.t('outreach.edit.conflict'))
    }
    throw e
  }
  outreach.justRecorded = o.id
  await Promise.all([openHousehold(o.household), loadDue()])
}

/** entryHistory returns an entry's audit trail, oldest first. */
export async function entryHistory(id: string): Promise<api.OutreachAudit[]> {
  return (await api.getOutreach(id)).audit
}
