import { constants, type Http2SecureServer, type Http2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2'
import type { ClientRejection } from './client-errors.js'

export interface H2Limits {
  readonly h2MaxResetsPerSecond: number
}

/** Codes a stream closes with that ramp or Node sent, not the client: a cut response, a refused stream. */
const ours = new Set([constants.NGHTTP2_NO_ERROR, constants.NGHTTP2_INTERNAL_ERROR, constants.NGHTTP2_REFUSED_STREAM])

interface Resets {
  windowStart: number
  count: number
  /** Told to go away: counted once, whatever its streams do until it is gone. */
  cut: boolean
}

/**
 * The HTTP/2 side of a listener: every session is known, so that closing the listener sends
 * each one GOAWAY (Node 20's server close waits for open sessions), and a client that cancels
 * streams faster than `h2MaxResetsPerSecond` is sent GOAWAY with ENHANCE_YOUR_CALM and
 * dropped: the rapid-reset attack (CVE-2023-44487) opens and cancels streams to make the proxy
 * start backend requests it never pays for. Each cancelled stream has already cancelled its
 * upstream request (src/proxy/flight.ts); this bounds how many the attacker gets to start.
 * The count is per session over one-second windows, read from each stream as it closes.
 */
export class H2Guard {
  private readonly sessions = new Map<Http2Session, Resets>()

  constructor(server: Http2SecureServer | Http2Server, private readonly limits: () => H2Limits, private readonly rejected: (reason: ClientRejection) => void) {
    server.on('session', (session: Http2Session) => {
      this.sessions.set(session, { windowStart: 0, count: 0, cut: false })
      session.on('close', () => this.sessions.delete(session))
      // A session error (a protocol error, a reset socket) is the client's: it is closed, never thrown.
      session.on('error', () => { session.destroy() })
    })
    server.on('stream', (stream: ServerHttp2Stream) => {
      // Taken now: a closed stream no longer knows its session.
      const session = stream.session
      stream.on('close', () => { if (!ours.has(stream.rstCode)) this.reset(session) })
    })
  }

  private reset(session: Http2Session | undefined): void {
    const resets = session === undefined ? undefined : this.sessions.get(session)
    if (resets === undefined || session === undefined || session.destroyed) return
    const now = Date.now()
    if (now - resets.windowStart >= 1000) {
      resets.windowStart = now
      resets.count = 0
    }
    if (++resets.count <= this.limits().h2MaxResetsPerSecond || resets.cut) return
    resets.cut = true
    this.rejected('rapid_reset')
    // The code goes out in a last GOAWAY before the connection is closed. It needs an error
    // beside it: with none, Node's default for the error argument becomes the code (NO_ERROR).
    session.destroy(new Error('HTTP/2 client reset streams faster than clients.h2MaxResetsPerSecond'), constants.NGHTTP2_ENHANCE_YOUR_CALM)
  }

  /** GOAWAY to every session: streams in flight finish, no new one starts. */
  closeAll(): void {
    for (const session of this.sessions.keys()) session.close()
  }
}
