// The lobby board's state: each counter's current call, the last calls, the waiting
// counts, and the voice that speaks new calls. It follows the station's events and
// polls when they do not come (stores/live.ts); a call seen both ways is shown and
// spoken once, by its key.
import { reactive } from 'vue'
import { getBoard, type Board, type BoardCounter, type Call, type QueueCounts } from '../api'
import { Announcer, callKey } from '../board/announcer'
import { AudioElementPlayer } from '../board/audioPlayer'
import { DEFAULT_LOCALE, type Locale } from '../i18n'
import { follow, type Live, type LiveState } from './live'

/** VoiceState: off until someone turns it on; blocked when the browser refused sound. */
export type VoiceState = 'off' | 'on' | 'blocked'

/** RECENT_CALLS is how many past calls the board lists (the server sends 8). */
export const RECENT_CALLS = 8

/** HIGHLIGHT_MS is how long a new call stays marked on its counter. */
export const HIGHLIGHT_MS = 12_000

const VOICE_KEY = 'bingzhan.board.voice'
const LANG_KEY = 'bingzhan.board.lang'
const CHIME = '/voice/chime.ogg'

/** BoardState is everything the board shows. */
export interface BoardState extends Board {
  loaded: boolean
  error: string
  /** The newest call, shown as the sentence across the top. */
  latest: Call | null
  /** Counter number → when its highlight ends (ms since epoch). */
  highlightUntil: Record<number, number>
  voice: VoiceState
  /** Spoken now, if anything: the board marks the counter being announced. */
  speaking: string
  live: LiveState
}

/** board is the shared board state. */
export const board = reactive<BoardState>({
  date: '',
  counters: [],
  recent: [],
  waiting: [],
  loaded: false,
  error: '',
  latest: null,
  highlightUntil: {},
  voice: readVoice(),
  speaking: '',
  live: { mode: 'connecting', reachable: true },
})

function readVoice(): VoiceState {
  try {
    return localStorage.getItem(VOICE_KEY) === 'on' ? 'on' : 'off'
  } catch {
    return 'off'
  }
}

function saveVoice(on: boolean): void {
  try {
    localStorage.setItem(VOICE_KEY, on ? 'on' : 'off')
  } catch {
    // A browser without storage asks again after a reload; nothing else is lost.
  }
}

/**
 * boardLocale is the board's language. `?lang=en`, `?lang=mn-Mong` (or `?lang=zh`) in the board's address
 * chooses it, and this TV remembers the choice, as it remembers the voice: a board that
 * reloads itself, or a TV that restarts on a bookmark without the query, stays in the
 * language it was set up in. Chinese otherwise. The voice is Chinese in all. Mongolian
 * shows only on a station that offers it: BoardView checks once the station answers.
 */
export function boardLocale(query: unknown): Locale {
  const other = (l: unknown): l is Locale => l === 'en' || l === 'mn-Mong'
  const asked = other(query) ? query : typeof query === 'string' && query.startsWith('zh') ? DEFAULT_LOCALE : null
  try {
    if (asked) localStorage.setItem(LANG_KEY, asked)
    else {
      const kept = localStorage.getItem(LANG_KEY)
      if (other(kept)) return kept
    }
  } catch {
    // Without storage the address alone decides.
  }
  return asked ?? DEFAULT_LOCALE
}

let player: AudioElementPlayer | null = null
let announcer: Announcer | null = null
let live: Live | null = null

/**
 * attachAudio gives the board its one audio element (in the page, so it can be seen and
 * tested) and the announcer that uses it.
 */
export function attachAudio(el: HTMLAudioElement): void {
  player = new AudioElementPlayer(el)
  announcer = new Announcer(player, {
    onBlocked: () => {
      board.voice = 'blocked'
    },
    onChange: () => {
      board.speaking = announcer?.speaking?.key ?? ''
    },
  })
  player.preload([CHIME])
}

/**
 * enableVoice turns the voice on. It must run in a click handler: browsers allow sound
 * only after a gesture. A chime confirms it works; the choice is remembered.
 */
export function enableVoice(): void {
  board.voice = 'on'
  saveVoice(true)
  announcer?.enqueue({ key: `chime|${Date.now()}`, clips: [CHIME] })
}

/** disableVoice silences the board and forgets the waiting announcements. */
export function disableVoice(): void {
  board.voice = 'off'
  saveVoice(false)
  announcer?.clear()
}

function announce(c: Call, speak: boolean): void {
  const key = callKey(c)
  if (!announcer) return
  if (speak && board.voice === 'on' && c.status === 'called') {
    player?.preload(c.clips)
    announcer.enqueue({ key, clips: c.clips })
  } else {
    announcer.remember(key)
  }
}

function highlight(counter: number): void {
  board.highlightUntil = { ...board.highlightUntil, [counter]: Date.now() + HIGHLIGHT_MS }
}

/**
 * loadBoard replaces the state with the station's. Calls it has not seen before are
 * announced when speak is set (polling), and only remembered on the first load: a
 * board switched on mid-morning does not read out the morning.
 */
export async function loadBoard(speak: boolean): Promise<void> {
  const b = await getBoard()
  const known = new Set(board.recent.map(callKey))
  const fresh = b.recent.filter((c) => !known.has(callKey(c))).reverse() // oldest first
  board.date = b.date
  board.counters = b.counters
  board.recent = b.recent
  board.waiting = b.waiting
  board.error = ''
  const first = !board.loaded
  board.loaded = true
  if (first) board.latest = b.recent[0] ?? null
  for (const c of fresh) {
    if (!first && c.status === 'called') {
      board.latest = c
      highlight(c.counter)
    }
    announce(c, speak && !first)
  }
}

/** onCall shows and speaks a call from the event stream. */
export function onCall(c: Call): void {
  const key = callKey(c)
  const isNew = !board.recent.some((r) => callKey(r) === key)
  const counter = board.counters.find((x) => x.number === c.counter)
  if (counter) {
    counter.current = c
    counter.name = c.counter_name || counter.name
  } else {
    board.counters = [...board.counters, { number: c.counter, name: c.counter_name, current: c }].sort(
      (a, b) => a.number - b.number,
    )
  }
  board.recent = [c, ...board.recent.filter((r) => r.number !== c.number)].slice(0, RECENT_CALLS)
  if (isNew) {
    board.latest = c
    highlight(c.counter)
  }
  announce(c, true)
}

/** onCounter updates what one counter shows (a start, a finish, a no-show…). */
export function onCounter(bc: BoardCounter): void {
  const i = board.counters.findIndex((x) => x.number === bc.number)
  if (i >= 0) board.counters[i] = bc
  else board.counters = [...board.counters, bc].sort((a, b) => a.number - b.number)
  // The recent list shows each call's latest status, as the server's would.
  if (bc.current) {
    const cur = bc.current
    board.recent = board.recent.map((r) => (r.number === cur.number ? { ...r, status: cur.status } : r))
  }
}

/** onQueue updates the waiting counts; letters absent from the event have none. */
export function onQueue(q: QueueCounts): void {
  if (q.date !== board.date) {
    void loadBoard(true).catch(() => {})
    return
  }
  board.waiting = board.waiting.map((w) => ({ ...w, waiting: q.waiting[w.letter] ?? 0 }))
}

/** startBoard loads the board and follows the station until stopBoard. */
export async function startBoard(): Promise<void> {
  try {
    await loadBoard(false)
  } catch (e) {
    board.error = (e as Error).message
  }
  live?.stop()
  live = follow({
    events: {
      call: (d) => onCall(d as Call),
      counter: (d) => onCounter(d as BoardCounter),
      queue: (d) => onQueue(d as QueueCounts),
      reset: () => void loadBoard(true).catch(() => {}),
    },
    poll: () => loadBoard(true),
  })
  board.live = live.state
}

/** stopBoard stops following the station and silences the voice queue. */
export function stopBoard(): void {
  live?.stop()
  live = null
  announcer?.clear()
}
