// The report screen's state: the day shown, its figures, and the week up to it. Days
// are station dates ("2026-11-23") as the server counts them; "today" is the server's,
// never the browser's clock, which may be set wrong or in another time zone.
import { reactive } from 'vue'
import { getStats, statsExportURL, type Stats } from '../api'
import { i18n } from '../i18n'

/** WEEK_DAYS is how many days the overview lists, ending with the day shown. */
export const WEEK_DAYS = 7

/** DayLine is one day of the overview. */
export interface DayLine {
  date: string
  issued: number
  served: number
  called: number
  avg_wait_s: number
}

/** ReportState is what the report screen shows. */
export interface ReportState {
  /** The station's today, learned from the server; '' until it has answered. */
  today: string
  /** The day shown. */
  date: string
  stats: Stats | null
  loading: boolean
  /** Why the day's figures could not be loaded, translated by the server. */
  error: string
  /** The days up to date, oldest first; null while loading or after a failure. */
  week: DayLine[] | null
}

/** report is the shared report state. */
export const report = reactive<ReportState>({
  today: '',
  date: '',
  stats: null,
  loading: false,
  error: '',
  week: null,
})

// Past days no longer change (open tickets expire at midnight): their figures are kept
// for the session, so paging back and forth costs nothing. Today's are always fetched.
const past = new Map<string, Stats>()
let seq = 0

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

/** isDate reports whether s is a real calendar date written YYYY-MM-DD. */
export function isDate(s: unknown): s is string {
  if (typeof s !== 'string' || !DATE_RE.test(s)) return false
  const d = new Date(s + 'T00:00:00Z')
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/** addDays returns the date n days after date (before, for negative n). */
export function addDays(date: string, n: number): string {
  const d = new Date(date + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

async function fetchDay(date: string): Promise<Stats> {
  const kept = past.get(date)
  if (kept) return kept
  const st = await getStats(date === report.today ? undefined : date)
  if (st.date < report.today) past.set(st.date, st)
  return st
}

/**
 * showDay shows the figures of date, or of today when date is empty, not a date, or
 * in the future: nothing has happened there yet. A slower answer for a day the user has
 * already left is dropped.
 */
export async function showDay(date?: string): Promise<void> {
  const mine = ++seq
  report.loading = true
  report.error = ''
  try {
    // Ask the server for today first: it decides what "today" and "the future" are.
    if (!report.today || !isDate(date) || date >= report.today) {
      const st = await getStats()
      if (mine !== seq) return
      report.today = st.date
      if (!isDate(date) || date >= st.date) {
        report.date = st.date
        report.stats = st
        report.loading = false
        void loadWeek(st.date, mine)
        return
      }
    }
    report.date = date
    const st = await fetchDay(date)
    if (mine !== seq) return
    report.stats = st
  } catch (e) {
    if (mine !== seq) return
    report.stats = null
    report.error = (e as Error).message
  } finally {
    if (mine === seq) report.loading = false
  }
  if (mine === seq && report.stats) void loadWeek(report.date, mine)
}

async function loadWeek(end: string, mine: number): Promise<void> {
  // A refresh of the same week keeps the old lines on screen until the new ones come.
  if (report.week?.at(-1)?.date !== end) report.week = null
  const dates = Array.from({ length: WEEK_DAYS }, (_, i) => addDays(end, i - WEEK_DAYS + 1))
  try {
    const days = await Promise.all(dates.map((d) => (d === report.date && report.stats ? report.stats : fetchDay(d))))
    if (mine !== seq) return
    report.week = days.map((s) => ({
      date: s.date,
      issued: s.station.issued,
      served: s.station.served,
      called: s.station.called,
      avg_wait_s: s.station.avg_wait_s,
    }))
  } catch {
    // The overview is a convenience: the day's own figures are on screen already.
  }
}

/** TODAY_REFRESH_MS is how often today's figures are fetched again while shown. */
export const TODAY_REFRESH_MS = 60_000

/** refreshToday fetches today's figures again if today is shown; a past day stays. */
export function refreshToday(): void {
  if (report.date !== '' && report.date === report.today && !report.loading) void showDay()
}

/** exportURL is the download address of the day's report, in the screen's language. */
export function exportURL(format: 'csv' | 'xlsx', date: string): string {
  return statsExportURL(format, date, i18n.global.locale.value === 'en' ? 'en' : 'zh-CN')
}

/** resetReport forgets everything shown: another staff member may log in next. */
export function resetReport(): void {
  seq++
  past.clear()
  report.today = ''
  report.date = ''
  report.stats = null
  report.loading = false
  report.error = ''
  report.week = null
}
