import { connect, type ClientHttp2Session, type Settings } from 'node:http2'

/** How the HTTP/2 sessions to one backend are opened, kept and bounded. */
export interface H2SessionOptions {
  readonly connectTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  /** Sessions per backend at most; a stream waits for a slot when every one is full. */
  readonly maxSessions: number
  readonly rejectUnauthorized: boolean
}

/** One session and the streams ramp has open on it. */
export interface H2Slot {
  readonly session: ClientHttp2Session
  streams: number
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (100, Node's assumption, until it says). */
  max: number
  /** The peer sent GOAWAY, or the session failed: no new stream goes on it. */
  gone: boolean
  /** Connected and the peer's SETTINGS read: streams go only on such a session (see `acquire`). */
  ready: boolean
}

/** A stream waiting for a slot; `cancelled` once its request was aborted while it waited. */
export interface H2Waiter {
  cancelled: boolean
  run(slot: H2Slot): void
  /** No connection could be made for it: it reached no backend. */
  fail(err: Error): void
}

/**
 * The HTTP/2 sessions to one backend (`http://` for h2c prior knowledge, `https://` with
 * ALPN h2): several streams a session up to the peer's concurrent-stream limit, a new session
 * only when every open one is full, at most `maxSessions`, and after that streams wait their
 * turn in order. A session that gets GOAWAY takes no new stream and is left to finish the
 * ones it has; an idle one is closed after the keep-alive time.
 */
export class H2Sessions {
  private readonly slots: H2Slot[] = []
  private readonly waiting: H2Waiter[] = []

  constructor(private readonly url: string, private readonly opts: H2SessionOptions) {}

  /**
   * Runs `w` on a connected session with room, now or once one has room. A stream is only
   * opened on a connected session, so a request whose connection fails has had none of its
   * body read and can go to another backend whole (a retry).
   */
  acquire(w: H2Waiter): void {
    this.waiting.push(w)
    this.serveWaiting()
  }

  /** A stream of `slot` ended: its room goes to the next waiter. */
  release(slot: H2Slot): void {
    slot.streams--
    this.serveWaiting()
  }

  get idle(): boolean {
    return this.slots.length === 0 && this.waiting.length === 0
  }

  /** GOAWAY to every session; resolves once each closed (its streams finished). */
  close(): Promise<void> {
    return Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.session.closed) return resolve()
      s.session.close(resolve)
    }))).then(() => undefined)
  }

  destroy(err: Error | null): void {
    for (const s of this.slots) s.session.destroy(err ?? undefined)
  }

  /** A connected session with room; else one more is opened (one at a time, up to the bound) and null returned. */
  private free(): H2Slot | null {
    let connecting = false
    for (const s of this.slots) {
      if (s.gone || s.streams >= s.max) continue
      if (s.ready) return s
      connecting = true
    }
    if (!connecting && this.slots.length < this.opts.maxSessions) this.open()
    return null
  }

  private serveWaiting(): void {
    while (this.waiting.length > 0) {
      const w = this.waiting[0] as H2Waiter
      if (w.cancelled) {
        this.waiting.shift()
        continue
      }
      const slot = this.free()
      if (slot === null) return
      this.waiting.shift()
      slot.streams++
      w.run(slot)
    }
  }

  private open(): H2Slot {
    const session = connect(this.url, {
      settings: { enablePush: false },
      rejectUnauthorized: this.opts.rejectUnauthorized,
    })
    const slot: H2Slot = { session, streams: 0, max: 100, gone: false, ready: false }
    this.slots.push(slot)
    // A connection that never comes fails with undici's code, which src/proxy/upstream-errors.ts maps.
    const connectTimer = setTimeout(() => {
      session.destroy(Object.assign(new Error(`connect timeout after ${this.opts.connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' }))
    }, this.opts.connectTimeoutMs)
    let failure: Error | null = null
    const forget = (): void => {
      slot.gone = true
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      // The connection was never made: what waited for it fails (to be retried elsewhere)
      // rather than trying this backend again and again.
      if (!slot.ready) {
        const err = failure ?? Object.assign(new Error('the connection closed before HTTP/2 was set up'), { code: 'UND_ERR_SOCKET' })
        for (const w of this.waiting.splice(0)) if (!w.cancelled) w.fail(err)
      }
      this.serveWaiting()
    }
    session.once('connect', () => { clearTimeout(connectTimer) })
    // Streams go on a session once its peer's SETTINGS came (the first frame a server sends):
    // before that its concurrent-stream limit is unknown, and streams past it are refused.
    session.on('remoteSettings', (s: Settings) => {
      slot.max = s.maxConcurrentStreams ?? slot.max
      slot.ready = true
      this.serveWaiting()
    })
    // Streams the peer will not process fail on their own (REFUSED_STREAM); the others finish.
    session.on('goaway', forget)
    session.once('close', () => {
      clearTimeout(connectTimer)
      forget()
    })
    // Each stream gets its own error; the session's must not be thrown.
    session.on('error', (err: Error) => { failure ??= err })
    session.setTimeout(this.opts.keepAliveTimeoutMs, () => { if (slot.streams === 0) session.close() })
    return slot
  }
}
