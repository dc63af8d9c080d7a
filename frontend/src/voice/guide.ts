// The kiosk's spoken guidance (语音引导, issue 17 point 5), for a person who cannot read
// the screen: while it is on, each screen says what it is and the one thing to do, a
// tap on a button says the button, and the keypad reads back each key. It speaks
// pre-made Mandarin clips (phrases.json, made by cmd/voicegen into /voice/guide/),
// through the board's player and queue, so it needs no network and no speech engine
// and sounds the same in the Wails window and in Chromium.
//
// What is said is data, in the two tables below, keyed by what the views already mark:
// the route and its step for screens, the data-test attribute for buttons. A view
// needs nothing from the guide to be spoken for.
//
// It speaks Mandarin in an English session too: the clips are Mandarin only, and the
// people it is for are township veterans and their families (the button says so).
import { reactive, watch, type WatchStopHandle } from 'vue'
import type { Router } from 'vue-router'
import { Announcer } from '../board/announcer'
import { AudioElementPlayer } from '../board/audioPlayer'
import { checkIn } from '../stores/checkIn'
import { lookup } from '../stores/lookup'
import { session } from '../stores/session'
import { tickets } from '../stores/tickets'
import { visit } from '../stores/visit'
import phrases from './phrases.json'

/** Phrase is the name of a guide clip, as phrases.json has it. */
export type Phrase = keyof typeof phrases

/** guideClip is the URL of a guide phrase's clip. */
export function guideClip(p: Phrase): string {
  return `/voice/guide/${p}.ogg`
}

// The board's own clips: digits, service letters and 号 (backend.VoiceClips).
function boardClip(name: string): string {
  return `/voice/${name}.ogg`
}

/**
 * SCREENS is what a screen says on arrival, by route name, or "route/step" for the
 * screens whose steps share a route. A screen not listed says nothing.
 */
const SCREENS: Record<string, Phrase[]> = {
  home: ['home'],
  services: ['choose-service'],
  priority: ['priority'],
  lookup: ['lookup'],
  'lookup-wizard/group': ['group'],
  'lookup-wizard/categories': ['categories'],
  'lookup-wizard/question': ['question'],
  'lookup-wizard/results': ['results'],
  'lookup-card/notice': ['notice'],
  'lookup-card/id': ['enter-id'],
  'lookup-card/phone': ['enter-last4'],
  'lookup-card/result': ['lookup-result'],
  'lookup-card/locked': ['locked'],
  'visit/notice': ['notice'],
  'visit/id': ['enter-id'],
  'visit/relation': ['relation'],
  'visit/phone': ['enter-phone'],
  'visit/service': ['choose-service'],
  'visit/matter': ['matter'],
  'visit/confirm': ['confirm'],
  'visit/done': ['registered'],
  'appointment/id': ['enter-id'],
  'appointment/code': ['enter-code'],
  'appointment/early': ['too-early'],
  'appointment/none': ['no-appointment'],
  // Not a screen but the idle warning over any of them (IdleGuard's warn).
  idle: ['idle'],
}

/**
 * TAPS is what a tap on a button says, by its data-test, or "route:data-test" where one
 * name means different words on different screens. null is silence: the guide's own
 * switch speaks for itself, and the hidden staff exit must stay hidden. A button not
 * listed says 已选择, "chosen": its words are the station's (questions, categories,
 * matters), for which no clip can be made in advance.
 */
const TAPS: Record<string, Phrase | null> = {
  'voice-guide': null,
  'admin-exit': null,
  'choice-ticket': 'take-ticket',
  'choice-lookup': 'entitlements',
  'choice-visit': 'visit',
  'choice-appointment': 'appointment',
  'appointment:submit': 'check-in',
  'use-code': 'use-code',
  'use-id': 'use-id',
  'priority-yes': 'yes-priority',
  'priority-no': 'no-priority',
  'lookup-wizard': 'wizard',
  'lookup-personal': 'card-progress',
  'elderly-toggle': 'large-text',
  'lang-zh-CN': 'chinese',
  'lang-en': 'english',
  'idle-continue': 'continue',
  home: 'home-button',
  back: 'back',
  next: 'next',
  clear: 'clear',
  agree: 'agree',
  'lookup-card:submit': 'search',
  'visit:submit': 'submit-visit',
  change: 'change',
  'change-id': 'change-id',
  skip: 'skip',
  restart: 'restart',
  retry: 'retry',
  reprint: 'reprint',
  done: 'done',
  'ticket:primary': 'done',
  'lookup-card:primary': 'home-button',
  finish: 'done',
  'register-visit': 'visit',
  'take-ticket': 'take-ticket',
  'collect-ticket': 'take-ticket',
  'next-ticket': 'take-ticket',
  'early-ok': 'home-button',
}

/**
 * screenClips returns the clips a screen says on arrival, by its key ("route" or
 * "route/step"); the ticket screen, "ticket/<number>", reads the number as the board
 * calls it: 这是您的号码，B 零 一 七 号，请等候叫号.
 */
export function screenClips(key: string): string[] {
  if (key.startsWith('ticket/')) {
    const number = key.slice('ticket/'.length)
    if (!number) return []
    return [guideClip('your-number'), ...numberClips(number), boardClip('hao'), guideClip('wait-call')]
  }
  return (SCREENS[key] ?? []).map(guideClip)
}

// numberClips reads a ticket number character by character, as the board does.
function numberClips(number: string): string[] {
  return [...number.toUpperCase()].filter((c) => /^[0-9A-Z]$/.test(c)).map(boardClip)
}

/**
 * tapClips returns what a tap on el says (el: the button or link tapped, on the screen
 * route), or [] for silence. Keypad keys read back their key; a service tile says its
 * letter and 类业务 — a station names its services itself and may rename them, so
 * there is a clip for every letter but not for the names.
 */
export function tapClips(el: Element, route: string): string[] {
  const key = el.getAttribute('data-key')
  if (key !== null && el.closest('[data-test=keypad]')) {
    return [key === 'back' ? guideClip('delete') : boardClip(key)]
  }
  const test = el.getAttribute('data-test') ?? ''
  const letter = /^service-([A-Z])$/.exec(test)?.[1]
  if (letter) return [boardClip(letter), guideClip('kind-of-service')]
  const phrase = tapPhrase(`${route}:${test}`) ?? tapPhrase(test)
  if (phrase === null) return []
  return [guideClip(phrase ?? 'chosen')]
}

// tapPhrase looks name up in TAPS: undefined when it is not there.
function tapPhrase(name: string): Phrase | null | undefined {
  return Object.hasOwn(TAPS, name) ? TAPS[name] : undefined
}

/** allClips lists every clip the guide may say, to fetch them ahead of need. */
export function allClips(): string[] {
  // Digits and the service letters (backend.ValidServiceLetter: A–Z without I and O).
  const board = [...'0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'].map(boardClip)
  return [...(Object.keys(phrases) as Phrase[]).map(guideClip), ...board, boardClip('hao')]
}

// screenKey names the screen now shown, from the route and the stores the stepped
// views render from.
function screenKey(router: Router): string {
  const r = router.currentRoute.value
  const name = String(r.name ?? '')
  switch (name) {
    case 'lookup-wizard':
      return `${name}/${lookup.wizardStep}`
    case 'lookup-card':
      return `${name}/${lookup.personalStep}`
    case 'visit':
      return `${name}/${visit.step}`
    case 'appointment':
      return `${name}/${checkIn.step}`
    case 'ticket': {
      const t = tickets.current
      return `ticket/${t && t.id === r.params.id ? t.number : ''}`
    }
  }
  return name
}

// The gap between two things said: a breath, not the board's pause between two calls.
const GAP_MS = 150

// Keypad read-back is queued behind the key before it, so a number tapped quickly is
// still read in full; anything else said first is cut short.
const KEYPAD = 'key'

/** guideState: blocked when the browser refused sound (the home button then says so). */
export const guideState = reactive({ blocked: false })

let player: AudioElementPlayer | null = null
let announcer: Announcer | null = null
let said = 0

function speaker(): Announcer {
  if (!announcer) {
    player = new AudioElementPlayer()
    announcer = new Announcer(player, { gapMs: GAP_MS, onBlocked: () => (guideState.blocked = true) })
  }
  return announcer
}

/**
 * How new words meet those already being said: "cut" them short (a tap: the person
 * has moved on), say them "next" after the words now spoken, dropping what waits (a
 * screen: what the last one would still say is stale), or "queue" behind everything.
 */
type Turn = 'cut' | 'next' | 'queue'

// say speaks clips, as an announcement of kind ("screen", "tap" or KEYPAD).
function say(clips: string[], kind: string, turn: Turn): void {
  if (clips.length === 0) return
  const a = speaker()
  if (turn === 'cut') a.stop()
  if (turn === 'next') a.clear()
  a.enqueue({ key: `${kind}|${++said}`, clips })
}

/**
 * toggleGuide turns the guidance on or off. It must run in the tap's click handler:
 * browsers allow sound only after a touch. On, it says so and what the screen is; off,
 * it says so too, so a person who cannot see the switch knows where it stands.
 */
export function toggleGuide(router: Router): void {
  session.voice = !session.voice
  guideState.blocked = false
  if (session.voice) {
    player?.preload(allClips())
    say([guideClip('on'), ...screenClips(screenKey(router))], 'screen', 'cut')
  } else {
    say([guideClip('off')], 'screen', 'cut')
  }
}

/** speakScreen says what a screen key names (for the idle warning, which is no route). */
export function speakScreen(key: string): void {
  if (session.voice) say(screenClips(key), 'screen', 'cut')
}

/**
 * startGuide follows the kiosk while it is shown: screens as they change, taps on its
 * buttons. It returns the function that stops following.
 */
export function startGuide(router: Router): () => void {
  speaker()
  const onClick = (e: MouseEvent): void => {
    if (!session.voice) return
    const el = (e.target as Element | null)?.closest('button, a')
    if (!el) return
    const clips = tapClips(el, String(router.currentRoute.value.name ?? ''))
    const isKey = el.hasAttribute('data-key')
    const typing = isKey && !!announcer?.speaking?.key.startsWith(KEYPAD + '|')
    say(clips, isKey ? KEYPAD : 'tap', typing ? 'queue' : 'cut')
  }
  // Capture, so the tap is said before the view acts on it: the tap's words, then the
  // next screen's.
  window.addEventListener('click', onClick, { capture: true })
  const stops: WatchStopHandle[] = [
    watch(
      () => screenKey(router),
      (key) => {
        if (session.voice) say(screenClips(key), 'screen', 'next')
      },
    ),
    // Ending the session (idle reset, 完成) ends the guidance: what waits is dropped,
    // the words being said finish (完成 is heard), and nothing more is said.
    watch(
      () => session.voice,
      (on) => {
        if (!on) announcer?.clear()
      },
      { flush: 'sync' },
    ),
  ]
  return () => {
    window.removeEventListener('click', onClick, { capture: true })
    for (const s of stops) s()
    announcer?.stop()
  }
}
