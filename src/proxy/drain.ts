import type { Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { currentResponse } from './current-response.js'

/** What the drain holds of a listener: its node server, and its close (which also ends HTTP/2 sessions). */
export interface Drainable {
  readonly server: Server
  close(): Promise<void>
}

/** How often, while draining, connections that went idle since are closed. */
const reapEveryMs = 50

/**
 * One data-plane listener's requests in flight, and its drain on shutdown. The listener tells
 * it of each proxied request (`admit` where it picks a backend, `ended` where it records the
 * response), in calls it makes anyway: tracking every response at the Node server instead (a
 * second `request` listener, a close listener per response) cost ~15% of the requests per
 * second (bench/README.md). It counts them rather than holding them: with every response in
 * flight in a Set, V8 promoted ~45x more bytes out of the young generation per scavenge
 * (1.2 MB against 26 KB under 100 connections), scavenges took 5x longer and the old
 * generation filled with dead requests. At the drain it finds the responses still to send
 * their head through the connections, which it holds anyway. A response ramp answers before
 * picking a backend (a bad request) is not counted, and its keep-alive connection is closed
 * once idle, like any other.
 *
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
  private inFlightCount = 0
  private readonly sockets = new Set<Socket>()
  private draining = false
  private completed = 0
  private closed: Promise<void> | null = null
  private app: Drainable | null = null

  constructor(readonly name: string) {}

  /** The listener, once it exists. */
  attach(app: Drainable): void {
    this.app = app
    app.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
  }

  private get server(): Server {
    if (this.app === null) throw new Error(`the ${this.name} listener's drain was never attached`)
    return this.app.server
  }

  /** Requests whose response has not ended yet. */
  get inFlight(): number {
    return this.inFlightCount
  }

  /** A request the listener took on; `http1` says its connection can be told to close. */
  admit(res: ServerResponse, http1: boolean): void {
    if (this.draining && http1) res.shouldKeepAlive = false
    this.inFlightCount++
  }

  /** Its response ended; `complete` says whether the client got all of it. */
  ended(complete: boolean): void {
    this.inFlightCount--
    if (this.draining && complete) this.completed++
  }

  /** Starts the drain; resolves once every connection of the listener is closed. */
  drain(): Promise<void> {
    if (this.closed !== null) return this.closed
    this.draining = true
    for (const socket of this.sockets) {
      const res = currentResponse(socket)
      if (res !== null && !res.headersSent) res.shouldKeepAlive = false
    }
    // An HTTP/2 server has no HTTP/1 connections to reap (nor the method): its sessions get GOAWAY.
    const reaper = setInterval(() => { this.server.closeIdleConnections?.() }, reapEveryMs)
    this.closed = (this.app as Drainable).close().finally(() => { clearInterval(reaper) })
    return this.closed
  }

  /** Closes every connection still open; says how many requests were in flight on them. */
  cut(): { requests: number; connections: number } {
    this.server.closeIdleConnections?.()
    const requests = this.inFlightCount
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
