// Dates as a visitor reads them: 2026年11月1日, 1 November 2026 — never 2026-11-01.
// Every kiosk screen that shows a date formats it here, so they all read alike.

// English is written day-month-year, as in British usage, which reads the same in
// every English-speaking reader's head; the others use their own Intl form.
function intlLocale(locale: string): string {
  return locale === 'en' ? 'en-GB' : locale
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** DateOptions add the weekday, or give the time zone a moment is to be read in. */
export interface DateOptions {
  weekday?: boolean
  timeZone?: string
}

/**
 * formatDate writes a calendar day ("2026-11-01", as the API sends it) or a moment
 * (a Date) in words for locale. A day is a day wherever the kiosk is, so it is never
 * shifted by a time zone; a string that is no date comes back as it is.
 */
export function formatDate(value: string | Date, locale: string, opts: DateOptions = {}): string {
  let date: Date
  let timeZone = opts.timeZone
  if (typeof value === 'string') {
    const m = DAY.exec(value)
    if (!m) return value
    date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
    timeZone = 'UTC'
  } else {
    date = value
  }
  return new Intl.DateTimeFormat(intlLocale(locale), {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: opts.weekday ? 'long' : undefined,
    timeZone,
  }).format(date)
}

/**
 * todayIn returns today's date (YYYY-MM-DD) in timeZone, the station's: a staff PC may
 * keep another zone than the station. An unknown zone falls back to the PC's own.
 */
export function todayIn(timeZone?: string): string {
  let zone = timeZone || undefined
  try {
    if (zone) new Intl.DateTimeFormat('en', { timeZone: zone })
  } catch {
    zone = undefined
  }
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(new Date())
}
