// The rating screens' shared state: the reason list (versioned data from the station,
// fetched once) and the words of a reason in the screen's language.
import { reactive } from 'vue'
import { getRatingReasons } from '../api/ratings'
import type { RatingReason, RatingReasons } from '../api/types'

interface RatingState {
  reasons: RatingReasons | null
}

export const rating = reactive<RatingState>({ reasons: null })

/** loadReasons fetches the reason list once; a failure leaves the chips out, not the rating. */
export async function loadReasons(): Promise<void> {
  if (rating.reasons) return
  try {
    rating.reasons = await getRatingReasons()
  } catch {
    // The five levels still work without reasons.
  }
}

/** reasonsFor returns the chips offered after level. */
export function reasonsFor(level: number): RatingReason[] {
  return rating.reasons?.levels[String(level)] ?? []
}

/** reasonText names a reason in lang: English for en, else Chinese. */
export function reasonText(level: number, id: string, lang: string): string {
  const r = reasonsFor(level).find((x) => x.id === id)
  if (!r) return id
  return lang === 'en' ? r.en : r.zh
}
