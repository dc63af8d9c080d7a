// The staff console's state: who is logged in, at which counter, the ticket there,
// today's open tickets and figures. Every action goes to the server and the lists are
// reloaded from it: two staff browsers never hold different truths for long.
import { reactive } from 'vue'
import * as api from '../api'
import { ApiError, type Counter, type StaffSession, type StaffTicket, type Stats, type TicketAction, type WaitingList, type WaitingTicket, type ActiveTicket } from '../api'
import { i18n } from '../i18n'
import { kioskStaff } from './kioskStaff'
import { follow, type Live, type LiveState } from './live'

const COUNTER_KEY = 'bingzhan.staff.counter'
const NAMES_KEY = 'bingzhan.staff.names'

/** StaffState is the console's shared state. */
export interface StaffState {
  /** False until GET /me has answered once: the console then knows whether to ask for a PIN. */
  checked: boolean
  session: StaffSession | null
  /** Why the login screen is shown again (an expired session), if it is. */
  loginNotice: string
  counters: Counter[]
  counterNo: number
  waiting: WaitingList | null
  /** When waiting was fetched (ms), so waiting times can keep counting on screen. */
  fetchedAt: number
  stats: Stats | null
  /** The answer of the last action on this counter's ticket: it has the call times. */
  ticket: StaffTicket | null
  /** The action in flight, if any: buttons wait for it, so a double tap does nothing. */
  busy: string
  /** The last action's error, translated by the server. */
  error: string
  loadError: string
  live: LiveState
}

/** staff is the shared console state. */
export const staff = reactive<StaffState>({
  checked: false,
  session: null,
  loginNotice: '',
  counters: [],
  counterNo: readCounter(),
  waiting: null,
  fetchedAt: 0,
  stats: null,
  ticket: null,
  busy: '',
  error: '',
  loadError: '',
  live: { mode: 'connecting', reachable: true },
})

function readCounter(): number {
  try {
    return Number(localStorage.getItem(COUNTER_KEY)) || 0
  } catch {
    return 0
  }
}

/** recentNames are the names that logged in on this computer, newest first. */
export function recentNames(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(NAMES_KEY) ?? '[]')
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 4) : []
  } catch {
    return []
  }
}

function rememberName(name: string): void {
  try {
    const names = [name, ...recentNames().filter((n) => n !== name)].slice(0, 4)
    localStorage.setItem(NAMES_KEY, JSON.stringify(names))
  } catch {
    // Without storage the name is typed again next time.
  }
}

let live: Live | null = null
let refreshTimer: ReturnType<typeof setTimeout> | null = null
let statsTimer: ReturnType<typeof setTimeout> | null = null

/** myCounter is the counter this console works at, once chosen and still existing. */
export function myCounter(): Counter | undefined {
  return staff.counters.find((c) => c.number === staff.counterNo)
}

/** currentTicket is the ticket called or served at this counter, if any. */
export function currentTicket(): ActiveTicket | undefined {
  return staff.waiting?.active.find((t) => t.counter === staff.counterNo)
}

/** checkSession asks the server whether this browser is logged in (the cookie). */
export async function checkSession(): Promise<void> {
  try {
    staff.session = await api.getMe()
  } catch {
    staff.session = null
  } finally {
    staff.checked = true
  }
}

/** doLogin logs in; errors (wrong PIN, locked) are thrown with the server's message. */
export async function doLogin(name: string, pin: string): Promise<void> {
  staff.session = await api.login(name.trim(), pin)
  staff.loginNotice = ''
  // The kiosk stands in the lobby: it shows no list of who works here.
  if (!kioskStaff.on) rememberName(name.trim())
}

/** loginLocked reports whether a failed login was refused because wrong PINs locked the account. */
export function loginLocked(e: unknown): boolean {
  return e instanceof ApiError && e.status === 429
}

/** doLogout ends the session here and on the server. */
export async function doLogout(): Promise<void> {
  stopLive()
  try {
    await api.logout()
  } catch {
    // The session ends on this screen either way; the server forgets it in time.
  }
  clearConsole()
}

function clearConsole(): void {
  staff.session = null
  staff.waiting = null
  staff.stats = null
  staff.ticket = null
  staff.error = ''
  staff.busy = ''
}

/** chooseCounter makes n this console's counter and remembers it on this computer. */
export function chooseCounter(n: number): void {
  staff.counterNo = n
  staff.ticket = null
  staff.error = ''
  try {
    if (n) localStorage.setItem(COUNTER_KEY, String(n))
    else localStorage.removeItem(COUNTER_KEY)
  } catch {
    // Chosen for this visit only.
  }
}

// A call that comes back 401 means the session ended (expired, or logged out from
// another tab): back to the login screen with a word why.
function handleAuth(e: unknown): boolean {
  if (e instanceof ApiError && e.code === 'unauthorized' && staff.session) {
    stopLive()
    clearConsole()
    staff.loginNotice = i18n.global.t('staff.login.expired')
    return true
  }
  return false
}

/** loadCounters reloads the counters. */
export async function loadCounters(): Promise<void> {
  staff.counters = await api.listCounters()
}

/** refresh reloads counters and the waiting list; it throws if the station is unreachable. */
export async function refresh(): Promise<void> {
  try {
    const [counters, waiting] = await Promise.all([api.listCounters(), api.getWaiting()])
    staff.counters = counters
    staff.waiting = waiting
    staff.fetchedAt = Date.now()
    staff.loadError = ''
    const cur = currentTicket()
    if (staff.ticket && (!cur || cur.id !== staff.ticket.id)) staff.ticket = null
  } catch (e) {
    if (!handleAuth(e)) staff.loadError = (e as Error).message
    throw e
  }
}

/** loadStats reloads today's figures; a failure leaves the last ones on screen. */
export async function loadStats(): Promise<void> {
  try {
    staff.stats = await api.getStats()
  } catch (e) {
    handleAuth(e)
  }
}

/** statsFileURL is the download address of today's report, in lang (a link cannot send Accept-Language). */
export function statsFileURL(format: 'csv' | 'xlsx', lang: string): string {
  return api.statsExportURL(format, undefined, lang)
}

function scheduleRefresh(): void {
  if (refreshTimer) return
  refreshTimer = setTimeout(() => {
    refreshTimer = null
    void refresh().catch(() => {})
  }, 100)
  if (!statsTimer) {
    statsTimer = setTimeout(() => {
      statsTimer = null
      void loadStats()
    }, 1500)
  }
}

/** startLive follows the station's events (or polls) to keep the lists current. */
export function startLive(): void {
  stopLive()
  live = follow({
    events: {
      call: scheduleRefresh,
      counter: scheduleRefresh,
      queue: scheduleRefresh,
      ticket: scheduleRefresh,
      reset: scheduleRefresh,
    },
    poll: async () => {
      await refresh()
      await loadStats()
    },
  })
  staff.live = live.state
}

/** stopLive stops following the station. */
export function stopLive(): void {
  live?.stop()
  live = null
}

async function run(label: string, f: () => Promise<StaffTicket>): Promise<StaffTicket | null> {
  if (staff.busy) return null
  staff.busy = label
  staff.error = ''
  try {
    const t = await f()
    staff.ticket = t.counter === staff.counterNo && (t.status === 'called' || t.status === 'serving') ? t : null
    return t
  } catch (e) {
    if (!handleAuth(e)) staff.error = (e as Error).message
    return null
  } finally {
    staff.busy = ''
    await refresh().catch(() => {})
    void loadStats()
  }
}

/** callNext calls the next person to this counter. */
export function callNext(): Promise<StaffTicket | null> {
  return run('callNext', () => api.callNext(staff.counterNo))
}

/** callTicket calls one particular ticket (or a no-show who came back) to this counter. */
export function callTicket(id: string): Promise<StaffTicket | null> {
  return run('call:' + id, () => api.ticketAction(id, 'call', { counter: staff.counterNo }))
}

/** act does an action on a ticket; resume brings a held ticket to this counter. */
export function act(id: string, action: TicketAction, body?: api.TicketActionBody): Promise<StaffTicket | null> {
  if (action === 'resume') body = { counter: staff.counterNo, ...body }
  return run(action + ':' + id, () => api.ticketAction(id, action, body))
}

/** saveCounter changes (or adds) a counter (admin), then reloads the counters. */
export async function saveCounter(n: number, name: string, services: string[]): Promise<void> {
  try {
    await api.putCounter(n, name, services)
  } catch (e) {
    handleAuth(e)
    throw e
  }
  await loadCounters()
}

/**
 * removeCounter deletes counter n (admin), then reloads the counters. The station
 * refuses a counter that still has a ticket, and the last one, with a message to show.
 */
export async function removeCounter(n: number): Promise<void> {
  try {
    await api.deleteCounter(n)
    // A console set to the removed counter chooses again rather than inherit a
    // counter added later under the same number.
    if (staff.counterNo === n) chooseCounter(0)
  } catch (e) {
    handleAuth(e)
    throw e
  } finally {
    if (staff.session) await loadCounters().catch(() => {})
  }
}

/** waitedMinutes is how long t has waited as of now, in whole minutes. */
export function waitedMinutes(t: WaitingTicket, now: number): number {
  const extra = staff.fetchedAt ? Math.max(0, now - staff.fetchedAt) / 1000 : 0
  return Math.floor((t.waited_s + extra) / 60)
}
