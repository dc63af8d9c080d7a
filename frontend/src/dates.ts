// Dates as a visitor reads them: 2026年11月1日, 1 November 2026 — never 2026-11-01.
// Every kiosk screen that shows a date formats it here, so they all read alike.

// English is written day-month-year, as in British usage, which reads the same in
// every English-speaking reader's head; the others use their own Intl form.
function intlLocale(locale: string): string {
  return locale === 'en' ? 'en-GB' : locale
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

// Browsers know no month or weekday names in Mongolian script (their "mn" is Cyrillic):
// a Mongolian date is written here, as "2026 ᠣᠨ ᠤ 11 ᠰᠠᠷ᠎ᠠ ᠶᠢᠨ 1", the weekday after it
// (machine-made drafts, like locales/mn-Mong.json). Sunday first, as Date.getDay counts.
const MONGOLIAN_WEEKDAYS = [
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠡᠳᠦᠷ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠨᠢᠭᠡᠨ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠬᠣᠶᠠᠷ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠭᠤᠷᠪᠠᠨ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠳᠥᠷᠪᠡᠨ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠲᠠᠪᠤᠨ',
  'ᠭᠠᠷᠠᠭ ᠤᠨ ᠵᠢᠷᠭᠤᠭᠠᠨ',
]

function mongolianDate(date: Date, timeZone: string | undefined, weekday = false): string {
  const parts = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', timeZone })
    .formatToParts(date)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const day = `${part('year')} ᠣᠨ ᠤ ${part('month')} ᠰᠠᠷ᠎ᠠ ᠶᠢᠨ ${part('day')}`
  if (!weekday) return day
  const n = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(part('weekday'))
  return `${day}᠂ ${MONGOLIAN_WEEKDAYS[n]}`
}

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
  if (locale === 'mn-Mong') return mongolianDate(date, timeZone, opts.weekday)
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
