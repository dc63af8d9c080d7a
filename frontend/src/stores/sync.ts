// The county sync store: what GET /api/v1/sync last said, kept fresh every 5 seconds
// while a sync panel or a status mark is on screen, the admin's two actions on a
// record the county refused, and enrolling the station with the county's file.
// Logging in is the staff store's; this one only reads.
import { reactive } from 'vue'
import * as api from '../api'
import { ApiError, type Enrolled, type SyncStatus } from '../api'
import { i18n } from '../i18n'
import { staff } from './staff'

/** REFRESH_MS is how often the sync state is fetched while something shows it. */
export const REFRESH_MS = 5000

/** SyncPanelState is the shared sync state. */
export interface SyncPanelState {
  status: SyncStatus | null
  /** When status was fetched (ms since the epoch). */
  fetchedAt: number
  /** Why the last refresh failed (the station itself unreachable), translated. */
  loadError: string
  /** True when this station has no sync panel (an old server answered 404). */
  missing: boolean
  /** The action in flight, "retry:17" or "discard:17": its buttons wait for it. */
  busy: string
  /** The last action's outcome, for the row it was done on. */
  actionSeq: number
  actionError: string
  actionDone: string
}

/** sync is the shared sync state. */
export const sync = reactive<SyncPanelState>({
  status: null,
  fetchedAt: 0,
  loadError: '',
  missing: false,
  busy: '',
  actionSeq: 0,
  actionError: '',
  actionDone: '',
})

let watchers = 0
let timer: ReturnType<typeof setTimeout> | null = null
let inFlight: Promise<void> | null = null

// A 401 means the staff session ended: the staff store's login screen takes over,
// with the same words the console uses.
function sessionEnded(e: unknown): boolean {
  if (e instanceof ApiError && e.code === 'unauthorized') {
    if (staff.session) staff.loginNotice = i18n.global.t('staff.login.expired')
    staff.session = null
    sync.status = null
    return true
  }
  return false
}

/** refreshSync fetches the sync state now; failures are kept in sync.loadError. */
export function refreshSync(): Promise<void> {
  inFlight ??= (async () => {
    try {
      sync.status = await api.getSyncStatus()
      sync.fetchedAt = Date.now()
      sync.loadError = ''
      sync.missing = false
    } catch (e) {
      if (sessionEnded(e)) return
      if (e instanceof ApiError && e.status === 404) sync.missing = true
      else sync.loadError = (e as Error).message
    } finally {
      inFlight = null
    }
  })()
  return inFlight
}

function schedule(): void {
  if (timer || watchers === 0) return
  timer = setTimeout(async () => {
    timer = null
    if (watchers === 0) return
    // A hidden tab need not ask; it catches up when shown.
    if (document.visibilityState !== 'hidden') await refreshSync()
    schedule()
  }, REFRESH_MS)
}

function onVisible(): void {
  if (document.visibilityState === 'visible' && watchers > 0) void refreshSync()
}

/**
 * watchSync keeps the sync state fresh until the returned function is called. Several
 * screens (the panel, the mark on the console) may watch at once: one timer serves all.
 */
export function watchSync(): () => void {
  watchers++
  if (watchers === 1) document.addEventListener('visibilitychange', onVisible)
  void refreshSync()
  schedule()
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    watchers--
    if (watchers === 0) {
      document.removeEventListener('visibilitychange', onVisible)
      if (timer) clearTimeout(timer)
      timer = null
    }
  }
}

async function act(label: string, seq: number, f: () => Promise<void>, done: string): Promise<boolean> {
  if (sync.busy) return false
  sync.busy = label
  sync.actionSeq = seq
  sync.actionError = ''
  sync.actionDone = ''
  try {
    await f()
    sync.actionDone = done
    return true
  } catch (e) {
    if (!sessionEnded(e)) sync.actionError = (e as Error).message
    return false
  } finally {
    sync.busy = ''
    await refreshSync()
  }
}

/** retryDead puts dead letter seq back in the outbox (admin). */
export function retryDead(seq: number): Promise<boolean> {
  return act('retry:' + seq, seq, () => api.retryDeadLetter(seq), i18n.global.t('sync.dead.retried', { seq }))
}

/** discardDead drops dead letter seq with the reason the county will see (admin). */
export function discardDead(seq: number, reason: string): Promise<boolean> {
  return act(
    'discard:' + seq,
    seq,
    () => api.discardDeadLetter(seq, reason.trim()),
    i18n.global.t('sync.dead.discarded', { seq }),
  )
}

/**
 * humanAge says how long s seconds is, in words: "不到 1 分钟", "12 分钟",
 * "3 小时 5 分钟", "2 天 4 小时".
 */
export function humanAge(s: number): string {
  const t = i18n.global.t
  s = Math.max(0, Math.floor(s))
  if (s < 60) return t('sync.age.underMinute')
  const m = Math.floor(s / 60)
  if (m < 60) return t('sync.age.minutes', { m })
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? t('sync.age.hoursMinutes', { h, m: m % 60 }) : t('sync.age.hours', { h })
  const d = Math.floor(h / 24)
  return h % 24 ? t('sync.age.daysHours', { d, h: h % 24 }) : t('sync.age.days', { d })
}

/**
 * when shows a station-local RFC 3339 time as the station wrote it: "09:12" today,
 * "11月20日 09:12" (or "2026-11-20 09:12") on another day. The server already gives
 * station time, so no time zone is applied here.
 */
export function when(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const m = iso.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/)
  if (!m) return iso
  const hm = `${m[4]}:${m[5]}`
  const at = Date.parse(iso)
  // The same calendar day at the station: compare in the time's own offset.
  const offset = iso.match(/([+-])(\d{2}):(\d{2})$/)
  let today = false
  if (!Number.isNaN(at)) {
    const offMin = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0
    const day = (ms: number) => new Date(ms + offMin * 60_000).toISOString().slice(0, 10)
    today = day(now) === `${m[1]}-${m[2]}-${m[3]}`
  }
  if (today) return hm
  return i18n.global.t('sync.date', { year: m[1], mm: m[2], dd: m[3], month: Number(m[2]), day: Number(m[3]), time: hm })
}

/** ago says how long ago a time was, in words ("3 分钟前"). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return ''
  return i18n.global.t('sync.ago', { age: humanAge((now - at) / 1000) })
}

/** MAX_ENROLMENT_BYTES is far above any enrolment file (about 500 bytes) and the station's limit. */
export const MAX_ENROLMENT_BYTES = 64 * 1024

/** EnrolState is the outcome of the last enrolment from the settings. */
export interface EnrolState {
  busy: boolean
  done: Enrolled | null
  /** Why the file was refused, in the station's words. */
  error: string
}

/** enrolment is the shared enrolment state. */
export const enrolment = reactive<EnrolState>({ busy: false, done: null, error: '' })

/**
 * enrol sends the chosen enrolment file to the station (admin), which checks it and
 * links to the county at once; the sync state is read again to follow the first push.
 * A file too large to be one is refused here, without sending it.
 */
export async function enrol(file: File): Promise<boolean> {
  if (enrolment.busy) return false
  enrolment.busy = true
  enrolment.done = null
  enrolment.error = ''
  try {
    if (file.size > MAX_ENROLMENT_BYTES) throw new Error(i18n.global.t('settings.county.notFile'))
    enrolment.done = await api.enrolStation(await file.text())
    return true
  } catch (e) {
    if (!sessionEnded(e)) enrolment.error = (e as Error).message
    return false
  } finally {
    enrolment.busy = false
    await refreshSync()
  }
}
