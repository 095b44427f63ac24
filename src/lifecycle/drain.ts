import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

const kDrain = Symbol('ramp.drain')
type Tracked = ServerResponse & { [kDrain]?: ListenerDrain }

/** How often, while draining, connections that went idle since are closed. */
const reapEveryMs = 50

/**
 * One data-plane listener's requests, tracked at its Node server (below fastify, so that
 * every response counts, whatever answered it), and its drain on shutdown:
 *
 * 1. The server stops listening: new connections are refused. Node closes the keep-alive
 *    connections that are idle at that moment.
 * 2. Every response whose head has not gone out yet, in flight or still to come on an open
 *    keep-alive connection, says `connection: close`, and Node closes its connection after
 *    it. Such a request was accepted, so it is served, not refused.
 * 3. A response whose head went out before the drain promised keep-alive; once it ends, its
 *    connection is idle and is closed within `reapEveryMs` (a client that sends its next
 *    request first has it served with `connection: close`).
 * 4. At the deadline, `cut()` closes whatever is left: the connections of requests in flight,
 *    and connections that left HTTP (an upgrade) and that Node no longer counts as its own.
 */
export class ListenerDrain {
  private readonly open = new Set<Tracked>()
  private readonly sockets = new Set<Socket>()
  private draining = false
  private completed = 0
  private closed: Promise<void> | null = null

  constructor(readonly name: string, private readonly app: FastifyInstance) {
    // Before fastify's own handler, which may answer at once.
    app.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => { this.track(req, res) })
    app.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
  }

  private get server(): Server {
    return this.app.server
  }

  /** Requests whose response has not ended yet. */
  get inFlight(): number {
    return this.open.size
  }

  private track(req: IncomingMessage, res: Tracked): void {
    if (this.draining && req.httpVersionMajor === 1) res.shouldKeepAlive = false
    res[kDrain] = this
    this.open.add(res)
    res.once('close', untrack)
  }

  /** @internal called by `untrack` */
  ended(res: Tracked): void {
    this.open.delete(res)
    if (this.draining && res.writableFinished) this.completed++
  }

  /** Starts the drain; resolves once every connection of the listener is closed. */
  drain(): Promise<void> {
    if (this.closed !== null) return this.closed
    this.draining = true
    for (const res of this.open) if (!res.headersSent) res.shouldKeepAlive = false
    const reaper = setInterval(() => { this.server.closeIdleConnections() }, reapEveryMs)
    this.closed = this.app.close().finally(() => { clearInterval(reaper) })
    return this.closed
  }

  /** Closes every connection still open; says how many requests were in flight on them. */
  cut(): { requests: number; connections: number } {
    this.server.closeIdleConnections()
    const requests = this.open.size
    let connections = 0
    for (const socket of this.sockets) {
      if (socket.destroyed) continue
      connections++
      socket.destroy()
    }
    return { requests, connections }
  }

  /** Responses that ended complete since the drain started. */
  get completedDuringDrain(): number {
    return this.completed
  }
}

function untrack(this: Tracked): void {
  this[kDrain]?.ended(this)
}
