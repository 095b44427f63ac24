import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { constants as h2, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { UpstreamReason } from '../upstream-reason.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import type { Backend } from '../pool/backend.js'
import { grpcCodeOf } from '../errors.js'
import { grpcPushbackMs } from '../grpc/pushback.js'
import { GRPC_CANCELLED, grpcCodeOfHttp, grpcStatusOf } from '../grpc/status.js'
import { observeOutcome } from '../pool/observe.js'
import type { VersionPool } from '../pool/pool.js'
import type { Clock } from '../clock.js'
import type { Listener } from '../routing/types.js'
import type { ListenerDrain } from './drain.js'
import { currentResponse } from './current-response.js'
import { clientRawHeaders, fieldsObject, rawField } from './headers.js'
import type { Lane } from './lanes.js'
import type { ListenerSettings } from './listener-settings.js'
import { responseHead } from './raw-response.js'
import { recordResponse, upstreamFailure } from './record.js'
import { endWithHeaders, sendError, type ClientResponse } from './respond.js'
import type { Retries, RetriedFlight } from './retry.js'
import { badStatusError } from './upstream-errors.js'
import { BodyReplay } from './body-replay.js'

/** What every flight of one listener shares. */
export interface FlightDeps {
  readonly listener: Listener
  readonly agent: Dispatcher
  readonly settings: () => ListenerSettings
  readonly retries: Retries
  readonly metrics: Metrics
  readonly log: Logger
  readonly clock: Clock
  readonly random: () => number
  readonly drain: ListenerDrain | undefined
}

export type ClientRequest = IncomingMessage | Http2ServerRequest

type Abort = (reason?: Error) => void

/** A flight's upstream request: undici's, with raw headers, and a body a retry can send again. */
export type UpstreamOptions = Omit<Dispatcher.DispatchOptions, 'body'> & { headers: string[]; body: Readable | BodyReplay | null }

/** The reason a try is cancelled for a client that left: one object, since undici would make one, with its stack, per cancel. */
const clientLeft = Object.freeze(new Error('the client left before its response was complete'))

/**
 * One request from the routing decision to its last byte: the version, the backend, the lane
 * it is recorded in, its start, its tries and its outcome. It is also the undici dispatch
 * handler of its tries (the raw interface, which undici calls without wrapping), so the
 * upstream response streams into the client's response with no object in between:
 * `onData` writes a chunk and returns false when the client's buffer is full; `resume` is
 * called on the client's 'drain'.
 *
 * It ends once, on the client response's 'close', which Node emits for a finished response
 * and for a client that left alike: a client that left cancels the upstream try at once and
 * is recorded as 499, never as an upstream failure.
 */
export class Flight implements Dispatcher.DispatchHandler, RetriedFlight {
  backend: Backend | null
  tries = 0
  holdsRetry = false
  ended = false
  readonly streamsBody: boolean
  readonly start = process.hrtime.bigint()
  /** Set when the upstream failed, so analysis counts the failure by its reason. */
  private upstreamReason: UpstreamReason | undefined = undefined
  /** The client went away before its response was complete. */
  private clientLeft = false
  /** Cancels the try in flight; null between tries. */
  private abortTry: Abort | null = null
  /** This try answered a status a retry follows: its body is read and thrown away. */
  private discarding = false
  private resume: (() => void) | null = null
  private retryTimer: NodeJS.Timeout | null = null
  /** The backoff before the retry a discarded response is waiting for. */
  private retryDelay = 0
  /**
   * The upstream head, held until the first body byte or the end: Node sends a head only with
   * the first write anyway, and until then a failure can still be answered with a clean 502.
   */
  private head: { status: number; statusText: string; headers: string[] } | null = null
  /** The client has its whole response before undici is done with the try (a 204 or 304). */
  private answered = false
  /** A gRPC call's `grpc-status` (from the trailers, the headers of a trailers-only answer, or ramp's own error); -1 until known. */
  private grpcStatus = -1

  constructor(
    private readonly deps: FlightDeps,
    private readonly req: ClientRequest,
    private readonly res: ClientResponse,
    readonly pool: VersionPool,
    private readonly lane: Lane,
    private readonly reason: string,
    private readonly setCookie: string | null,
    backend: Backend | null,
    /** The upstream request, sent again as it is by a retry (only Host follows the backend). */
    private readonly options: UpstreamOptions,
    /** A gRPC call: sent over HTTP/2 and judged by its `grpc-status`. */
    readonly grpc: boolean,
  ) {
    this.backend = backend
    this.streamsBody = options.body !== null && options.body !== undefined
    // Both fire at most once that matters; `on` spares the wrapper `once` makes.
    res.on('close', () => { this.finish() })
    req.on('error', () => { this.leave() })
  }

  get method(): string { return this.req.method as string }
  get bodyRead(): boolean { return this.req.readableDidRead }
  get headers(): IncomingHttpHeaders { return this.req.headers }
  get path(): string { return this.options.path }
  get bodyKept(): boolean {
    const body = this.options.body
    return body === null || body === undefined || (body instanceof BodyReplay && body.replayable)
  }

  /** Sends the next try to `this.backend`. */
  send(): void {
    const backend = this.backend as Backend
    this.tries++
    this.discarding = false
    this.resume = null
    const o = this.options
    o.origin = this.grpc ? backend.grpcOrigin : backend.origin
    if (!this.deps.settings().preserveHost) o.headers[1] = backend.host
    // A BodyReplay is a gRPC call's body, and gRPC calls go to the HTTP/2 agent, which takes it (h2-call.ts).
    this.deps.agent.dispatch(o as Dispatcher.DispatchOptions, this)
  }

  /** The upstream request failed before any of it reached the client: the failure is the client's answer. */
  fail(reason: UpstreamReason, error: Parameters<typeof sendError>[1]): void {
    this.upstreamReason = reason
    if (this.grpc) this.grpcStatus = grpcCodeOf(error)
    sendError(this.res, error, this.setCookie)
  }

  // --- undici's handler ------------------------------------------------------------------

  onConnect(abort: Abort): void {
    if (this.ended) abort()
    else this.abortTry = abort
  }

  onUpgrade(): void {
    // Upgrades never come this way (src/proxy/upgrade.ts takes them).
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.ended) return false
    if (status < 200) {
      this.informational(status, raw)
      return true
    }
    if (status > 599) {
      this.abortTry?.(badStatusError(status))
      return false
    }
    // A trailers-only answer (a gRPC error, usually) has its status in the headers.
    if (this.grpc) {
      const code = rawField(raw, 'grpc-status')
      this.grpcStatus = code === undefined ? -1 : grpcStatusOf(code)
    }
    if (this.deps.retries.retriesStatus(status) || this.grpcStatus >= 0) {
      // A gRPC server may say when to retry, or not to (a pushback it sends with its error).
      const pushback = this.grpcStatus >= 0 ? grpcPushbackMs(rawField(raw, 'grpc-retry-pushback-ms')) : undefined
      const delay = pushback === null ? null : this.deps.retries.next(this, undefined, status, this.grpcStatus)
      if (delay !== null) {
        // Moved to another backend already; the retry is sent once this body is read through.
        this.discarding = true
        this.grpcStatus = -1
        this.retryDelay = pushback ?? delay
        return true
      }
    }
    // This answer is the client's: nothing will be sent again.
    this.releaseBody()
    const { responseVersionHeader } = this.deps.settings()
    const headers = clientRawHeaders(raw, responseVersionHeader, this.pool.name)
    if (this.setCookie !== null) headers.push('set-cookie', this.setCookie)
    this.head = { status, statusText, headers }
    this.resume = resume
    if (status === 204 || status === 304) {
      // Never a body, whatever its length headers say; undici fails such a response with a
      // length mismatch at its end (and drops that connection), so it is answered now.
      this.writeHead()
      this.res.end()
      this.answered = true
    }
    return true
  }

  private writeHead(): void {
    const { status, statusText, headers } = this.head as NonNullable<Flight['head']>
    const res = this.res
    if (res.req.httpVersionMajor === 1) (res as ServerResponse).writeHead(status, statusText, headers)
    else (res as Http2ServerResponse).writeHead(status, headers as unknown as Record<string, string>)
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding || this.ended || this.answered) return true
    const res = this.res as ServerResponse
    if (!res.headersSent) this.writeHead()
    if (res.write(chunk)) return true
    res.once('drain', this.resume as () => void)
    return false
  }

  /** undici's types say strings; its raw interface hands the trailers' bytes. */
  onComplete(trailers: string[] | null): void {
    this.abortTry = null
    if (this.discarding) return this.retryLater()
    if (this.ended || this.answered) return
    const res = this.res
    if (!res.headersSent) {
      // A response without body or trailers (a gRPC trailers-only answer) stays one frame on HTTP/2.
      if (res.req.httpVersionMajor !== 1 && (trailers === null || trailers.length === 0)) {
        const { status, headers } = this.head as NonNullable<Flight['head']>
        return endWithHeaders(res as Http2ServerResponse, status, headers)
      }
      this.writeHead()
    }
    if (trailers !== null && trailers.length > 0) {
      const fields = fieldsObject(trailers as unknown as Buffer[])
      if (this.grpc && fields['grpc-status'] !== undefined) this.grpcStatus = grpcStatusOf(fields['grpc-status'])
      this.res.addTrailers(fields)
    }
    this.res.end()
  }

  /** A safe gRPC call's body, kept for its retries, goes once the call can no longer be retried. */
  private releaseBody(): void {
    const body = this.options.body
    if (body instanceof BodyReplay) body.release()
  }

  onError(err: Error): void {
    this.abortTry = null
    if (this.discarding) return this.retryLater()
    // The client left and the try was cancelled for it (or failed with the client's body),
    // or it has its whole answer already.
    if (this.ended || this.clientLeft || this.answered) return
    const backend = this.backend as Backend
    // Retried only before the backend answered: after its head, it has seen the request.
    if (this.head === null) {
      const delay = this.deps.retries.next(this, err, undefined)
      if (delay !== null) return this.retryIn(delay)
    }
    const mapped = upstreamFailure(this.deps.metrics, this.deps.log, backend, err)
    this.upstreamReason = mapped.reason
    if (this.grpc) this.grpcStatus = grpcCodeOf(mapped.error)
    if (!this.res.headersSent) return sendError(this.res, mapped.error, this.setCookie)
    this.cut()
  }

  // --- the client's side -----------------------------------------------------------------

  /**
   * A 1xx from the backend, passed on as it came. Node writes 102 and 103 itself; any other
   * 1xx goes out as raw bytes on an HTTP/1 connection, while this response is the one the
   * connection is writing and its head is not out yet.
   */
  private informational(status: number, raw: Buffer[]): void {
    const res = this.res
    if (res.headersSent) return
    const fields = fieldsObject(raw)
    if (res.req.httpVersionMajor !== 1) {
      (res as Http2ServerResponse).stream.additionalHeaders({ ...fields, ':status': status })
      return
    }
    const h1 = res as ServerResponse
    if (status === 102) return void h1.writeProcessing()
    if (status === 103 && fields.link !== undefined) return void h1.writeEarlyHints(fields)
    if (status === 100 || currentResponse(h1.socket as NonNullable<ServerResponse['socket']>) !== h1) return
    h1.socket?.write(responseHead(status, undefined, fields), 'latin1')
  }

  /**
   * The upstream failed after the client had the head: the client's response is cut so that
   * it cannot pass for complete. An HTTP/1 connection is reset (a response without a length
   * would otherwise end with a clean close); an HTTP/2 stream is reset alone.
   */
  private cut(): void {
    const res = this.res
    if (res.req.httpVersionMajor === 1) (res as ServerResponse).socket?.resetAndDestroy()
    else (res as Http2ServerResponse).stream.close(h2.NGHTTP2_INTERNAL_ERROR)
  }

  private retryLater(): void {
    if (!this.ended) this.retryIn(this.retryDelay)
  }

  private retryIn(delayMs: number): void {
    if (delayMs <= 0) return this.send()
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (!this.ended) this.send()
    }, delayMs)
  }

  /** The client's request failed (it left mid-body): its try is cancelled. */
  private leave(): void {
    this.clientLeft = true
    const abort = this.abortTry
    this.abortTry = null
    abort?.(clientLeft)
  }

  /**
   * Whether the client got the whole response. An HTTP/2 compat response reports
   * `writableFinished` even for a stream the client reset, so there its stream's close code
   * says it.
   */
  private completed(): boolean {
    const res = this.res
    if (res.req.httpVersionMajor === 1) return res.writableFinished
    return res.writableEnded && (res as Http2ServerResponse).stream.rstCode === h2.NGHTTP2_NO_ERROR
  }

  /**
   * A finished gRPC call's code: its `grpc-status`; CANCELLED for a client that left; else
   * what a gRPC client reads from a response without one (an HTTP error's mapping, UNKNOWN
   * for a 200 that never said).
   */
  private grpcOutcome(status: number): number {
    if (status === 499) return GRPC_CANCELLED
    if (this.grpcStatus >= 0) return this.grpcStatus
    return grpcCodeOfHttp(status)
  }

  private finish(): void {
    const deps = this.deps
    const res = this.res
    const complete = this.completed()
    if (!complete) this.leave()
    this.ended = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.releaseBody()
    deps.retries.requestEnded(this)
    deps.drain?.ended(complete)
    const backend = this.backend
    if (backend !== null) backend.inflight--
    const status = complete || (res.headersSent && this.upstreamReason !== undefined) ? res.statusCode : 499
    const grpc = this.grpc ? this.grpcOutcome(status) : -1
    const failed = grpc < 0 ? status >= 500 : deps.settings().grpcErrorCodes[grpc] === true
    if (backend !== null && this.upstreamReason === undefined && res.headersSent) observeOutcome(backend, failed)
    const seconds = Number(process.hrtime.bigint() - this.start) / 1e9
    recordResponse(this.lane.series, this.lane.window, status, seconds, this.upstreamReason, deps.clock.now(), grpc, failed)
    const { accessRatio } = deps.settings()
    if (accessRatio > 0 && (accessRatio >= 1 || deps.random() < accessRatio)) {
      const req = this.req
      deps.log.info({ access: { listener: deps.listener, method: req.method, url: req.url, status, version: this.pool.name, reason: this.reason, backend: backend?.url ?? null, ms: Math.round(seconds * 1e6) / 1e3, completed: complete } }, 'access')
    }
  }
}

/** Whether the client's request has a body to forward. An HTTP/2 request says so by not ending its stream with its headers. */
export function bodyOf(req: ClientRequest): Readable | null {
  if (req.httpVersionMajor !== 1) return (req as Http2ServerRequest).stream.endAfterHeaders ? null : req
  const h = req.headers
  if (h['transfer-encoding'] !== undefined) return req
  const length = h['content-length']
  return length === undefined || length === '0' ? null : req
}
