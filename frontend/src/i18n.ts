import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'
import mnMong from './locales/mn-Mong.json'

/** Locale is a language the kiosk can show; a station offers some of them (config.json). */
export type Locale = 'zh-CN' | 'en' | 'mn-Mong'

/** DEFAULT_LOCALE is the language every kiosk session starts in. */
export const DEFAULT_LOCALE: Locale = 'zh-CN'

/** LANGUAGE_NAMES name each language in itself, as the language switch shows it. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  'zh-CN': '中文',
  en: 'English',
  'mn-Mong': 'ᠮᠣᠩᠭᠣᠯ',
}

/**
 * inMongolian reports whether text is written in Mongolian script. On a Mongolian
 * screen such text stands in columns, while the station's and the county's Chinese
 * (a service's name, a catalog's line) lies as written: a list that mixes the two marks
 * each item with it (styles/mongolian.css, .in-mongolian).
 */
export function inMongolian(text: string | null | undefined): boolean {
  return /[\u1820-\u18AF]/.test(text ?? '')
}

/** isLocale reports whether s names a language the kiosk has. */
export function isLocale(s: unknown): s is Locale {
  return typeof s === 'string' && Object.hasOwn(LANGUAGE_NAMES, s)
}

// Typing the catalog by the Chinese file makes vue-tsc fail when en.json misses a key.
type MessageSchema = typeof zhCN

// Mongolian covers what a visitor reads — the kiosk's screens and the lobby board —
// and vue-tsc fails when mn-Mong.json misses one of those keys. The staff screens
// offer Chinese and English only, so their sections fall back to Chinese.
type VisitorMessages = Pick<
  MessageSchema,
  | 'app'
  | 'nav'
  | 'home'
  | 'lookup'
  | 'services'
  | 'priority'
  | 'ticket'
  | 'idle'
  | 'keypad'
  | 'adminExit'
  | 'error'
  | 'common'
  | 'board'
  | 'visit'
  | 'rating'
  | 'appointment'
> & {
  settings: Pick<MessageSchema['settings'], 'elderly' | 'on' | 'off' | 'language'>
  setup: Pick<MessageSchema['setup'], 'hint'>
}
const mn: VisitorMessages = mnMong

/** i18n is the app's one translator; the session store switches its locale. */
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': zhCN, en, 'mn-Mong': mn as MessageSchema },
})
