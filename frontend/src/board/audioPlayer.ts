// The browser side of the announcer: one HTMLAudioElement plays every clip, each to
// its 'ended' before the next play(), so two clips can never sound at once. Ogg Vorbis
// plays in Chromium and, through GStreamer, in WebKitGTK.
import { BlockedError, type ClipPlayer } from './announcer'

// A clip is a second or two; one that neither ends nor fails in this time is skipped
// so a stuck audio device cannot stop the board's voice for the rest of the day.
const CLIP_TIMEOUT_MS = 10_000

// The schemes a media element can load from everywhere. WebKitGTK hands a media URL
// to GStreamer, which reads these but no scheme an app registers for itself (WebKit
// bug 146351): in the Wails window, whose page is wails://, every clip failed with
// MEDIA_ERR_SRC_NOT_SUPPORTED and the kiosk was silent. A clip on any other scheme is
// fetched (fetch() does go through the app's scheme) and played from a blob: URL.
const MEDIA_SCHEMES = new Set(['http:', 'https:', 'blob:', 'data:'])

/** AudioElementPlayer plays clips through one audio element. */
export class AudioElementPlayer implements ClipPlayer {
  readonly audio: HTMLAudioElement

  constructor(audio: HTMLAudioElement = new Audio()) {
    this.audio = audio
    this.audio.preload = 'auto'
  }

  private readonly preloaded = new Set<string>()
  // blob: URLs of the clips fetched so far, by their URL; kept for the page's life,
  // as the clips are few and small (about 1 MB in all).
  private readonly blobs = new Map<string, string>()
  private readonly fetching = new Map<string, Promise<string>>()
  // Ends the play() in progress, if any, as if its clip had ended.
  private finish: (() => void) | null = null

  /** preload asks the browser to fetch urls now (once each), so a call starts at once. */
  preload(urls: string[]): void {
    for (const url of urls) {
      if (this.preloaded.has(url)) continue
      this.preloaded.add(url)
      if (needsBlob(url)) {
        this.blob(url).catch(() => {})
        continue
      }
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
      const onEnded = (): void => {
        console.debug(`voice: played ${url}`)
        done()
      }
      const onError = (): void => {
        // A clip that cannot play is skipped, so without this nothing would ever say
        // why the voice is silent.
        console.warn(`voice: cannot play ${url}: media error ${audio.error?.code ?? '?'} ${audio.error?.message ?? ''}`)
        done()
      }
      const finish = (): void => done()
      this.finish = finish
      const timer = setTimeout(() => {
        audio.pause()
        done()
      }, CLIP_TIMEOUT_MS)
      const start = (src: string): void => {
        if (settled) return
        audio.addEventListener('ended', onEnded)
        audio.addEventListener('error', onError)
        audio.src = src
        audio.play().catch((e: unknown) => {
          const err = e as Error
          if (err?.name === 'NotAllowedError') return done(new BlockedError())
          // A clip cut short rejects too (AbortError), once it is done with.
          if (settled) return
          // Often before the element's 'error', whose listener done() then removes.
          console.warn(`voice: cannot play ${url}: ${err?.name ?? ''} ${err?.message ?? e}`)
          done()
        })
      }
      if (!needsBlob(url)) return start(url)
      const ready = this.blobs.get(url)
      if (ready) return start(ready)
      this.blob(url).then(start, (e: unknown) => {
        console.warn(`voice: cannot fetch ${url}: ${(e as Error)?.message ?? e}`)
        done()
      })
    })
  }

  // blob fetches url once and returns its blob: URL.
  private blob(url: string): Promise<string> {
    let p = this.fetching.get(url)
    if (!p) {
      p = fetch(url)
        .then((r) => {
          if (!r.ok) throw new Error(`HTTP ${r.status}`)
          return r.blob()
        })
        .then((b) => {
          const u = URL.createObjectURL(b)
          this.blobs.set(url, u)
          return u
        })
      // A failed fetch is tried again next time.
      p.catch(() => this.fetching.delete(url))
      this.fetching.set(url, p)
    }
    return p
  }
}

// needsBlob reports whether url, resolved against the page, is on a scheme a media
// element may not load from.
function needsBlob(url: string): boolean {
  return !MEDIA_SCHEMES.has(new URL(url, document.baseURI).protocol)
}
