// Following the station live: the Server-Sent Events stream when it works, polling
// every few seconds when it does not. Inside the Wails window the stream may never
// open (its asset server answers requests whole), and on a TV the network drops; in
// both cases the screens must keep up, so polling takes over until the stream is back.
import { reactive } from 'vue'
import { EVENTS_URL } from '../api'

/** LiveMode says how a screen follows the station right now. */
export type LiveMode = 'connecting' | 'live' | 'polling'

/** LiveOptions are a follower's handlers and timings. */
export interface LiveOptions {
  /** Handlers by event kind (call, counter, queue, reset, ticket); data is parsed JSON. */
  events: Record<string, (data: unknown) => void>
  /**
   * poll reloads the screen's state. It runs every pollMs while the stream is down and
   * once each time the stream (re)opens, to catch what happened in between.
   */
  poll: () => Promise<void>
  pollMs?: number
  /** How long a new stream may take to open before polling starts beside it. */
  openTimeoutMs?: number
  /** How long after a stream closed for good to try a new one. */
  retryMs?: number
}

/** LiveState is what a screen shows about its connection. */
export interface LiveState {
  mode: LiveMode
  /** False while the last poll failed: the station cannot be reached. */
  reachable: boolean
}

/** Live is a running follower; stop ends the stream and the polling. */
export interface Live {
  state: LiveState
  stop(): void
}

/** follow starts following the station's events with opts. */
export function follow(opts: LiveOptions): Live {
  const pollMs = opts.pollMs ?? 3000
  const openTimeoutMs = opts.openTimeoutMs ?? 5000
  const retryMs = opts.retryMs ?? 30_000
  const state = reactive<LiveState>({ mode: 'connecting', reachable: true })

  let es: EventSource | null = null
  let pollTimer: ReturnType<typeof setTimeout> | null = null
  let openTimer: ReturnType<typeof setTimeout> | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  let polling = false

  async function pollOnce(): Promise<void> {
    try {
      await opts.poll()
      state.reachable = true
    } catch {
      state.reachable = false
    }
  }

  function startPolling(): void {
    if (stopped || polling) return
    polling = true
    state.mode = 'polling'
    const tick = async (): Promise<void> => {
      await pollOnce()
      if (polling && !stopped) pollTimer = setTimeout(tick, pollMs)
    }
    void tick()
  }

  function stopPolling(): void {
    polling = false
    if (pollTimer) clearTimeout(pollTimer)
    pollTimer = null
  }

  function connect(): void {
    if (stopped) return
    if (typeof EventSource === 'undefined') {
      startPolling()
      return
    }
    const source = new EventSource(EVENTS_URL)
    es = source
    openTimer = setTimeout(startPolling, openTimeoutMs)
    source.onopen = () => {
      if (openTimer) clearTimeout(openTimer)
      openTimer = null
      stopPolling()
      state.mode = 'live'
      void pollOnce()
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an error answer, not a stream): poll, and try a new
        // stream later.
        source.close()
        if (es === source) es = null
        if (openTimer) clearTimeout(openTimer)
        startPolling()
        retryTimer = setTimeout(connect, retryMs)
        return
      }
      // The browser reconnects by itself (sending Last-Event-ID); poll meanwhile.
      startPolling()
    }
    for (const [kind, handle] of Object.entries(opts.events)) {
      source.addEventListener(kind, (e) => {
        let data: unknown = null
        try {
          data = JSON.parse((e as MessageEvent<string>).data)
        } catch {
          return
        }
        handle(data)
      })
    }
  }

  connect()

  return {
    state,
    stop() {
      stopped = true
      stopPolling()
      es?.close()
      es = null
      for (const t of [openTimer, retryTimer]) if (t) clearTimeout(t)
    },
  }
}
