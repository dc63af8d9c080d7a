// A day's figures and their report files (docs/staff.md).
import { request } from './client'
import type { ExportFormat, Stats } from './types'

/** getStats returns a day's figures; today's without a date. */
export function getStats(date?: string): Promise<Stats> {
  return request('GET', '/api/v1/stats' + (date ? `?date=${encodeURIComponent(date)}` : ''))
}

/**
 * statsExportURL is the download address of a day's report (the cookie authorises it),
 * in lang: a download link cannot send Accept-Language.
 */
export function statsExportURL(format: ExportFormat, date?: string, lang?: string): string {
  const q = new URLSearchParams({ format })
  if (date) q.set('date', date)
  if (lang) q.set('lang', lang)
  return `/api/v1/stats/export?${q.toString()}`
}
