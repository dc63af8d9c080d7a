// The lobby board's voice: calls are spoken from a queue, one clip after the other and
// one call after the other, never two at once (docs/staff.md, "Voice"). This module is
// the sequencing only, with the player passed in, so a test can run it without a
// browser and check the exact order of clips it produces.

/** Announcement is one call to speak: its clips in order, and a key that identifies it. */
export interface Announcement {
  /** Same key, same announcement: a call heard twice (stream and poll) is spoken once. */
  key: string
  clips: string[]
}

/**
 * ClipPlayer plays one clip. play resolves when the clip has ended, or when it could not
 * be played (a missing file must not stop the queue), and rejects with a BlockedError
 * when the browser refuses to play sound until someone touches the page.
 */
export interface ClipPlayer {
  play(url: string): Promise<void>
  /** stop, where the player can, cuts the clip now playing short; its play resolves. */
  stop?(): void
}

/** BlockedError is what a ClipPlayer rejects with when autoplay is not allowed. */
export class BlockedError extends Error {
  constructor() {
    super('audio playback needs a user gesture')
    this.name = 'BlockedError'
  }
}

/** AnnouncerOptions tune the queue. */
export interface AnnouncerOptions {
  /** Silence between two announcements, in ms, so two calls are heard as two. */
  gapMs?: number
  /** The most announcements waiting; beyond it the oldest waiting one is dropped. */
  maxQueue?: number
  /** How many keys are remembered for de-duplication. */
  rememberKeys?: number
  /** sleep waits ms; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>
  /** onBlocked is told when the browser blocks sound; the queue is then emptied. */
  onBlocked?: () => void
  /** onChange is told whenever what is spoken or waiting changes. */
  onChange?: () => void
}

/** Announcer speaks announcements from a queue, strictly one at a time. */
export class Announcer {
  private readonly player: ClipPlayer
  private readonly opts: Required<Omit<AnnouncerOptions, 'onBlocked' | 'onChange'>> &
    Pick<AnnouncerOptions, 'onBlocked' | 'onChange'>
  private readonly queue: Announcement[] = []
  private readonly seen: string[] = []
  private running = false
  private done: Promise<void> = Promise.resolve()
  private current: Announcement | null = null
  // The announcement stop() cut short: the rest of its clips are skipped.
  private cut: Announcement | null = null

  constructor(player: ClipPlayer, opts: AnnouncerOptions = {}) {
    this.player = player
    this.opts = {
      gapMs: opts.gapMs ?? 700,
      maxQueue: opts.maxQueue ?? 20,
      rememberKeys: opts.rememberKeys ?? 256,
      sleep: opts.sleep ?? ((ms) => new Promise((res) => setTimeout(res, ms))),
      onBlocked: opts.onBlocked,
      onChange: opts.onChange,
    }
  }

  /** speaking is the announcement being spoken now, if any. */
  get speaking(): Announcement | null {
    return this.current
  }

  /** pending is how many announcements wait behind the one being spoken. */
  get pending(): number {
    return this.queue.length
  }

  /**
   * enqueue adds a to the queue unless its key was already heard; it returns whether it
   * was added. Speaking starts at once if nothing else is being spoken.
   */
  enqueue(a: Announcement): boolean {
    if (this.seen.includes(a.key)) return false
    this.remember(a.key)
    if (a.clips.length === 0) return false
    this.queue.push({ key: a.key, clips: [...a.clips] })
    while (this.queue.length > this.opts.maxQueue) this.queue.shift()
    this.opts.onChange?.()
    if (!this.running) this.done = this.run()
    return true
  }

  /**
   * remember marks key as heard without speaking it: calls already on the board when it
   * opens are shown, not announced.
   */
  remember(key: string): void {
    if (this.seen.includes(key)) return
    this.seen.push(key)
    while (this.seen.length > this.opts.rememberKeys) this.seen.shift()
  }

  /** clear drops the waiting announcements; the one being spoken finishes its clip. */
  clear(): void {
    this.queue.length = 0
    this.opts.onChange?.()
  }

  /**
   * stop silences at once: the waiting announcements are dropped and the one being
   * spoken ends mid-clip (if the player can stop). The board never needs it; the
   * kiosk's voice guide does, when the person moves on faster than the voice.
   */
  stop(): void {
    this.queue.length = 0
    if (this.current) {
      this.cut = this.current
      this.player.stop?.()
    }
    this.opts.onChange?.()
  }

  /** idle resolves once nothing is spoken or waiting (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.done
  }

  private async run(): Promise<void> {
    this.running = true
    try {
      let first = true
      for (let a = this.queue.shift(); a; a = this.queue.shift()) {
        if (!first) await this.opts.sleep(this.opts.gapMs)
        first = false
        this.current = a
        this.opts.onChange?.()
        for (const clip of a.clips) {
          if (this.cut === a) break
          try {
            await this.player.play(clip)
          } catch (e) {
            if (e instanceof BlockedError || (e as Error).name === 'BlockedError') {
              this.queue.length = 0
              this.current = null
              this.opts.onBlocked?.()
              return
            }
            // Any other failure: skip the clip, keep the announcement going.
          }
        }
        this.current = null
        this.cut = null
        this.opts.onChange?.()
      }
    } finally {
      this.running = false
      this.current = null
    }
  }
}

/** callKey identifies one call of a ticket: a recall has a new time, so a new key. */
export function callKey(c: { number: string; counter: number; at: string }): string {
  return `${c.number}|${c.counter}|${c.at}`
}
