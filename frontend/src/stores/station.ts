// The station store: who we are and how patient the kiosk is with an idle screen.
import { reactive } from 'vue'
import { getStation, type Station } from '../api'
import { DEFAULT_LOCALE, isLocale, type Locale } from '../i18n'

/** StationState is what the kiosk knows about its station. */
export interface StationState {
  info: Station | null
  /** Seconds without a touch before the kiosk asks "还在吗？". */
  idleWarningS: number
  /** Seconds the question stays up before the kiosk clears itself. */
  idleCountdownS: number
}

/** station is the shared station state. */
export const station = reactive<StationState>({
  info: null,
  idleWarningS: 60,
  idleCountdownS: 20,
})

// Set by ?idle=W,C at start; it wins over the station's settings so tests and staff
// demonstrations can use short times without reconfiguring the station.
let overridden = false

/** idleOverridden reports whether the address set the idle times (tests do). */
export function idleOverridden(): boolean {
  return overridden
}

/**
 * applyIdleOverride reads `idle=W,C` (seconds) from a URL query string. Malformed
 * values are ignored: a typo must not leave the kiosk without its idle reset.
 */
export function applyIdleOverride(search: string): void {
  const raw = new URLSearchParams(search).get('idle')
  const m = raw?.match(/^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/)
  if (!m) return
  const warning = Number(m[1])
  const countdown = Number(m[2])
  if (warning <= 0 || countdown <= 0) return
  station.idleWarningS = warning
  station.idleCountdownS = countdown
  overridden = true
}

/**
 * languages are the languages the station offers (config.json "languages"), Chinese
 * first; Chinese and English until the station has answered.
 */
export function languages(): Locale[] {
  const offered = (station.info?.languages ?? [DEFAULT_LOCALE, 'en']).filter(isLocale)
  return offered.length ? offered : [DEFAULT_LOCALE]
}

/** offers reports whether the station shows lang, a language asked for by address. */
export function offers(lang: unknown): lang is Locale {
  return isLocale(lang) && languages().includes(lang)
}

/**
 * loadStation fetches the station's settings. On failure the kiosk keeps its defaults
 * and works on: a missing station name must not block taking a ticket.
 */
export async function loadStation(): Promise<void> {
  try {
    const info = await getStation()
    station.info = info
    if (!overridden) {
      if (info.idle_warning_s > 0) station.idleWarningS = info.idle_warning_s
      if (info.idle_countdown_s > 0) station.idleCountdownS = info.idle_countdown_s
    }
  } catch {
    // Keep the defaults; the next screen that needs the server will show the error.
  }
}
