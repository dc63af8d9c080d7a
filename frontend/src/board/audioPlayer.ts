// The browser side of the announcer: one HTMLAudioElement plays every clip, each to
// its 'ended' before the next play(), so two clips can never sound at once. Ogg Vorbis
// plays in Chromium and, through GStreamer, in WebKitGTK.
import { BlockedError, type ClipPlayer } from './announcer'

// A clip is a second or two; one that neither ends nor fails in this time is skipped
// so a stuck audio device cannot stop the board's voice for the rest of the day.
const CLIP_TIMEOUT_MS = 10_000

/** AudioElementPlayer plays clips through one audio element. */
export class AudioElementPlayer implements ClipPlayer {
  readonly audio: HTMLAudioElement

  constructor(audio: HTMLAudioElement = new Audio()) {
    this.audio = audio
    this.audio.preload = 'auto'
  }

  private readonly preloaded = new Set<string>()
  // Ends the play() in progress, if any, as if its clip had ended.
  private finish: (() => void) | null = null

  /** preload asks the browser to fetch urls now (once each), so a call starts at once. */
  preload(urls: string[]): void {
    for (const url of urls) {
      if (this.preloaded.has(url)) continue
      this.preloaded.add(url)
      const a = new Audio()
      a.preload = 'auto'
      a.src = url
    }
  }

  /** stop cuts the clip now playing short; its play() resolves. */
  stop(): void {
    this.audio.pause()
    this.finish?.()
  }

  play(url: string): Promise<void> {
    const audio = this.audio
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const done = (err?: Error): void => {
        if (settled) return
        settled = true
        if (this.finish === finish) this.finish = null
        clearTimeout(timer)
        audio.removeEventListener('ended', onEnded)
        audio.removeEventListener('error', onError)
        if (err) reject(err)
        else resolve()
      }
      const onEnded = (): void => done()
      const onError = (): void => done()
      const finish = (): void => done()
      this.finish = finish
      const timer = setTimeout(() => {
        audio.pause()
        done()
      }, CLIP_TIMEOUT_MS)
      audio.addEventListener('ended', onEnded)
      audio.addEventListener('error', onError)
      audio.src = url
      audio.play().catch((e: unknown) => {
        done((e as Error)?.name === 'NotAllowedError' ? new BlockedError() : undefined)
      })
    })
  }
}
