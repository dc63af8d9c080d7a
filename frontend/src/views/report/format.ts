// How the report writes days and times. Dates are station dates ("2026-11-23"): they
// are formatted as calendar days in UTC so the browser's own time zone cannot shift them.

type Translate = (key: string, values?: Record<string, unknown>) => string

function utc(date: string): Date {
  return new Date(date + 'T00:00:00Z')
}

/** longDate writes a day in full: 2026年11月23日 星期一, or Monday, 23 November 2026. */
export function longDate(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    timeZone: 'UTC',
  }).format(utc(date))
}

/** shortDate writes a day briefly, for the week's list: 11月23日 周一, or Mon 23 Nov. */
export function shortDate(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    month: locale === 'en' ? 'short' : 'numeric',
    day: 'numeric',
    weekday: 'short',
    timeZone: 'UTC',
  }).format(utc(date))
}

/**
 * duration writes seconds as minutes and seconds ("4 分 30 秒"); "—" when nothing was
 * measured, so an empty figure never reads as "0 seconds".
 */
export function duration(t: Translate, s: number, measured: boolean): string {
  if (!measured) return t('report.none')
  if (s < 60) return t('report.dur.s', { s })
  const m = Math.floor(s / 60)
  const r = s % 60
  return r ? t('report.dur.ms', { m, s: r }) : t('report.dur.m', { m })
}
