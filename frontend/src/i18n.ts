import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

/** Locale is a language the kiosk can show. */
export type Locale = 'zh-CN' | 'en'

/** DEFAULT_LOCALE is the language every kiosk session starts in. */
export const DEFAULT_LOCALE: Locale = 'zh-CN'

// Typing the catalog by the Chinese file makes vue-tsc fail when en.json misses a key.
type MessageSchema = typeof zhCN

/** i18n is the app's one translator; the session store switches its locale. */
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': zhCN, en },
})
