import { constants, type ClientHttp2Stream, type ClientSessionRequestOptions, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { isGrpcContentType } from '../grpc/status.js'
import { grpcTimeoutMs } from '../grpc/timeout.js'
import { BodyReplay } from './body-replay.js'
import type { H2Sessions, H2Slot, H2Waiter } from './h2-sessions.js'

export interface H2CallTimeouts {
  readonly headersTimeoutMs: number
  readonly bodyTimeoutMs: number
}

/** Fields HTTP/2 forbids (RFC 9113 8.2.2); Node throws on them. `te` is put back as `trailers` for gRPC. */
const connectionSpecific = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'http2-settings'])

const failure = (code: string, message: string): Error => Object.assign(new Error(message), { code })

/** Body bytes kept until the response starts, so that a refused stream can be sent again. */
const keepAtMost = 64 * 1024
/** Refused streams one call is sent again after, at most. */
const maxRefusals = 3

/**
 * A stream's options with Node's priority defaults written out (and its internal `silent`), so
 * that `request` only checks them: adding them itself costs ~3% of a proxied gRPC call's CPU.
 */
const streamOptions = (endStream: boolean, waitForTrailers: boolean): ClientSessionRequestOptions & { silent: boolean } =>
  ({ endStream, waitForTrailers, weight: constants.NGHTTP2_DEFAULT_WEIGHT, parent: 0, exclusive: false, silent: false })

/**
 * One request sent as an HTTP/2 stream, driving undici's raw dispatch handler (the one
 * `Flight`, the mirror and `request` use) as undici's own clients do: `onConnect` with the
 * abort, `onHeaders` with the raw fields (strings, whose `toString` ignores the encoding
 * undici's readers pass), `onData` with back-pressure, `onComplete` with the trailers. Unlike
 * undici's HTTP/2 client it forwards request trailers and multiplexes requests with streamed
 * bodies (undici runs those one per connection), which a gRPC stream needs.
 *
 * A `grpc-timeout` bounds the whole call in place of the headers and body timeouts: a
 * streaming call may be silent for as long as its deadline allows.
 *
 * A stream the backend refuses (REFUSED_STREAM, or past the last stream of a GOAWAY) was not
 * processed (RFC 9113 8.7), so it is sent again on another session, its body replayed from
 * the first bytes, which are kept (up to 64 KiB) until the response starts. A session that
 * closes with a maximum connection age, as gRPC servers do, then costs no call. A body given
 * as a `BodyReplay` is the flight's, kept across its tries (a method safe to retry): the
 * flight, not the call, says when it goes.
 */
export class H2Call implements H2Waiter {
  cancelled = false
  private stream: ClientHttp2Stream | null = null
  private slot: H2Slot | null = null
  private timer: NodeJS.Timeout | null = null
  private trailers: string[] | null = null
  private readonly headers: OutgoingHttpHeaders
  private readonly deadlineMs: number | null
  /** A body known whole when the call is made (a probe's). */
  private readonly fixed: Buffer | string | null = null
  /** A streamed body, and whether this call owns it (releases what it keeps once the response starts). */
  private readonly replay: BodyReplay | null = null
  private readonly ownsReplay: boolean = false
  private refusals = 0
  private responded = false

  constructor(
    private readonly sessions: H2Sessions,
    opts: Dispatcher.DispatchOptions,
    private readonly handler: Dispatcher.DispatchHandler,
    scheme: 'http' | 'https',
    authority: string,
    private readonly timeouts: H2CallTimeouts,
  ) {
    const headers: OutgoingHttpHeaders = { ':method': opts.method, ':path': opts.path, ':scheme': scheme }
    let host: string | undefined
    let deadline: number | null = null
    let grpc = false
    const add = (name: string, value: string): void => {
      const lower = name.toLowerCase()
      if (lower === 'host') host ??= value
      if (connectionSpecific.has(lower)) return
      if (lower === 'content-type') grpc = isGrpcContentType(value)
      else if (lower === 'grpc-timeout') deadline = grpcTimeoutMs(value)
      const prior = headers[lower]
      headers[lower] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [String(prior), value]
    }
    const given = opts.headers
    if (Array.isArray(given)) for (let i = 0; i < given.length; i += 2) add(String(given[i]), String(given[i + 1]))
    else if (given !== null && typeof given === 'object') for (const [k, v] of Object.entries(given as Record<string, string | undefined>)) if (v !== undefined) add(k, v)
    headers[':authority'] = host ?? authority
    if (grpc) headers.te = 'trailers'
    this.headers = headers
    this.deadlineMs = deadline
    const body = opts.body
    if (body instanceof BodyReplay) this.replay = body
    else if (typeof body === 'string' || Buffer.isBuffer(body)) this.fixed = body
    else if (body !== undefined && body !== null) {
      this.replay = new BodyReplay(body as Readable, keepAtMost)
      this.ownsReplay = true
    }
  }

  start(): void {
    try {
      this.handler.onConnect?.(this.abort)
    } catch (err) {
      return this.fail(err as Error)
    }
    if (this.cancelled) return
    if (this.deadlineMs !== null) this.arm(this.deadlineMs, 'RAMP_GRPC_DEADLINE', `the call's grpc-timeout (${this.deadlineMs} ms) passed`)
    this.sessions.acquire(this)
  }

  run(slot: H2Slot): void {
    this.slot = slot
    const { replay, fixed } = this
    let stream: ClientHttp2Stream
    try {
      stream = slot.session.request(this.headers, streamOptions(replay === null && fixed === null, replay !== null))
    } catch (err) {
      // The session went away between the pick and the request: nothing reached the backend,
      // so another session may take it.
      this.release()
      if (this.refusals++ < maxRefusals) return this.sessions.acquire(this)
      return this.fail(failure('RAMP_H2_REFUSED_STREAM', (err as Error).message))
    }
    this.stream = stream
    if (this.deadlineMs === null) this.arm(this.timeouts.headersTimeoutMs, 'UND_ERR_HEADERS_TIMEOUT', `headers timeout after ${this.timeouts.headersTimeoutMs} ms`)
    stream.on('response', (fields) => { this.onResponse(fields) })
    stream.on('data', (chunk: Buffer) => {
      if (!this.cancelled && this.handler.onData?.(chunk) === false) stream.pause()
    })
    stream.on('trailers', (fields: IncomingHttpHeaders) => { this.trailers = rawFields(fields) })
    stream.on('end', () => { this.complete() })
    // A refused stream is sent again once it has closed.
    stream.on('error', (err: Error) => { if (!this.replays(stream)) this.fail(err) })
    stream.on('close', () => { this.closed() })
    if (fixed !== null) stream.end(fixed)
    if (replay === null) return
    // The client's trailers (a gRPC client may send some) are known once its body ended.
    stream.on('wantTrailers', () => { stream.sendTrailers(forwardableTrailers((replay.source as { trailers?: IncomingHttpHeaders }).trailers)) })
    replay.pipeTo(stream)
  }

  /** Whether `stream` was refused and the call can be sent again. */
  private replays(stream: ClientHttp2Stream): boolean {
    return stream.rstCode === constants.NGHTTP2_REFUSED_STREAM && !this.responded && !this.cancelled && (this.replay?.replayable ?? true) && this.refusals < maxRefusals
  }

  /** Sends the call again on a session with room, its body from its first byte. */
  private sendAgain(): void {
    this.refusals++
    this.replay?.detach()
    this.stream = null
    this.sessions.acquire(this)
  }

  /** Cancels the call: RST_STREAM(CANCEL) to the backend, the handler told once. */
  readonly abort = (reason?: Error): void => {
    this.fail(reason ?? failure('UND_ERR_ABORTED', 'Request aborted'))
  }

  private onResponse(fields: IncomingHttpHeaders): void {
    if (this.cancelled) return
    const stream = this.stream as ClientHttp2Stream
    this.responded = true
    if (this.ownsReplay) this.replay?.release()
    if (this.deadlineMs === null) {
      this.disarm()
      stream.setTimeout(this.timeouts.bodyTimeoutMs, () => { this.fail(failure('UND_ERR_BODY_TIMEOUT', `body timeout after ${this.timeouts.bodyTimeoutMs} ms`)) })
    }
    const status = Number(fields[':status'])
    const raw = rawFields(fields)
    if (this.handler.onHeaders?.(status, raw as unknown as Buffer[], () => { stream.resume() }, '') === false) stream.pause()
  }

  private complete(): void {
    if (this.cancelled) return
    this.settle()
    this.handler.onComplete?.(this.trailers ?? [])
    // The backend ended the call while the client may still be sending: its stream goes too.
    // Once the request is all sent the stream closes by itself; an RST_STREAM then would
    // only cost a frame (and a tenth of the call's CPU).
    const stream = this.stream
    if (stream !== null && !stream.closed && !stream.writableFinished) stream.close(constants.NGHTTP2_NO_ERROR)
  }

  /** A stream that closed without its response's end: reset by the backend, or its session gone. */
  private closed(): void {
    this.release()
    const stream = this.stream
    if (stream !== null && this.replays(stream)) return this.sendAgain()
    if (this.cancelled) return
    this.fail(resetBy(this.stream?.rstCode ?? constants.NGHTTP2_INTERNAL_ERROR))
  }

  fail(err: Error): void {
    if (this.cancelled) return
    this.settle()
    const stream = this.stream
    if (stream !== null && !stream.closed) stream.close(constants.NGHTTP2_CANCEL)
    const code = (err as { code?: string }).code
    // Node reports a peer's RST_STREAM as this generic error (a stream ramp closes itself is
    // settled first); the code says whether the backend saw the request.
    if (code === 'ERR_HTTP2_STREAM_ERROR' && stream !== null) err = resetBy(stream.rstCode ?? constants.NGHTTP2_INTERNAL_ERROR)
    this.handler.onError?.(err)
  }

  private settle(): void {
    this.cancelled = true
    this.disarm()
    this.replay?.detach()
    if (this.ownsReplay) this.replay?.release()
  }

  private release(): void {
    const slot = this.slot
    if (slot === null) return
    this.slot = null
    this.sessions.release(slot)
  }

  private arm(ms: number, code: string, message: string): void {
    this.disarm()
    this.timer = setTimeout(() => { this.fail(failure(code, message)) }, ms)
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

/** A stream the backend reset with `code`: refused (it never processed it, RFC 9113 8.7) or reset after it saw it. */
function resetBy(code: number): Error {
  return code === constants.NGHTTP2_REFUSED_STREAM
    ? failure('RAMP_H2_REFUSED_STREAM', 'the backend refused the stream (REFUSED_STREAM)')
    : failure('RAMP_H2_STREAM_RESET', `the backend reset the stream (code ${code})`)
}

/** Node's field object as a raw list: pseudo-fields left out, repeated fields one entry each. */
function rawFields(fields: IncomingHttpHeaders): string[] {
  const out: string[] = []
  for (const name in fields) {
    if (name.charCodeAt(0) === 58 /* : */) continue
    const v = fields[name]
    if (Array.isArray(v)) for (const one of v) out.push(name, one)
    else if (v !== undefined) out.push(name, v)
  }
  return out
}

function forwardableTrailers(trailers: IncomingHttpHeaders | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  if (trailers === undefined) return out
  for (const name in trailers) if (name.charCodeAt(0) !== 58 && !connectionSpecific.has(name)) out[name] = trailers[name]
  return out
}
