// The kiosk session: the choices one person makes for themselves (language, large
// text, spoken guidance), and the reset that hands a clean kiosk to the next person.
import { reactive, watch, watchEffect } from 'vue'
import type { Router } from 'vue-router'
import { DEFAULT_LOCALE, i18n, type Locale } from '../i18n'
import { clearCheckIn } from './checkIn'
import { clearLookup } from './lookup'
import { offers, station } from './station'
import { clearTickets } from './tickets'
import { clearVisit } from './visit'

/** SessionState is the current person's display choices. */
export interface SessionState {
  elderly: boolean
  /** voice: the spoken guidance (语音引导, src/voice/guide.ts) is on. */
  voice: boolean
}

/** session is the shared session state. */
export const session = reactive<SessionState>({ elderly: false, voice: false })

/** locale returns the language now shown. */
export function locale(): Locale {
  return i18n.global.locale.value
}

/** setLocale switches the language of the screens and of server messages. */
export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
}

/**
 * openIn opens the kiosk in lang, from the address (`?lang=mn-Mong`), once the station
 * has said it offers that language; a language it does not offer is ignored, as a
 * mistyped address is, and the kiosk stays in Chinese. The next session starts in
 * Chinese again, as every session does.
 */
export function openIn(lang: unknown): void {
  if (typeof lang !== 'string' || lang === '') return
  if (station.info) {
    if (offers(lang)) setLocale(lang)
    return
  }
  const stop = watch(
    () => station.info,
    () => {
      stop()
      if (offers(lang)) setLocale(lang)
    },
  )
}

/** isPristine reports whether the session is as the next person should find it. */
export function isPristine(): boolean {
  return !session.elderly && !session.voice && locale() === DEFAULT_LOCALE
}

/**
 * resetSession clears everything one person left: their ticket, what they looked up,
 * language, text size, spoken guidance, and the screen they were on.
 */
export async function resetSession(router: Router): Promise<void> {
  clearTickets()
  clearLookup()
  clearVisit()
  clearCheckIn()
  session.elderly = false
  session.voice = false
  setLocale(DEFAULT_LOCALE)
  ;(document.activeElement as HTMLElement | null)?.blur()
  await router.replace({ name: 'home' })
}

/**
 * bindDocument mirrors the session onto <html>: the elderly class scales every size
 * through CSS variables, and lang makes the browser pick Simplified Chinese glyphs.
 */
export function bindDocument(): void {
  watchEffect(() => {
    const root = document.documentElement
    root.classList.toggle('elderly', session.elderly)
    root.lang = locale()
    document.title = i18n.global.t('app.title')
  })
}
