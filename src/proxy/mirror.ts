import type { ClientRequest } from './flight.js'
import { PassThrough, type Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { Measurements } from '../analysis/window.js'
import type { UpstreamReason } from '../upstream-reason.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import { pickBackend } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import type { Clock } from '../clock.js'
import { upstreamRawHeaders } from './headers.js'
import type { ListenerSettings } from './listener-settings.js'
import { recordResponse } from './record.js'
import { isGrpcContentType } from '../grpc/status.js'
import { upstreamError } from './upstream-errors.js'

export interface MirrorDeps {
  agent: Dispatcher
  metrics: Metrics
  measurements: Measurements
  clock: Clock
  log: Logger
  /** The config in force, read per copy (a reload may change the limits). */
  settings: () => Pick<ListenerSettings, 'limits' | 'preserveHost' | 'versionHeader'>
  /** The listener's scheme, sent as x-forwarded-proto. */
  proto: 'http' | 'https'
}

/** What the listener read of a request for its own upstream request, which a copy reuses. */
export interface Forwarded {
  /** The target in origin form, byte for byte. */
  readonly path: string
  /** The client's raw header lines that ramp took (the first `clients.maxHeaderCount`). */
  readonly rawHeaders: readonly string[]
  /** The Host the client asked for (an absolute-form target's authority). */
  readonly host: string | undefined
}

export type MirrorOutcome = 'sent' | 'shed' | 'body_too_large'

/**
 * Dark launch: a copy of a request goes to the canary and its answer is thrown away. The
 * client's request never waits for it: the copy leaves once the client's body has been read
 * (at once for a request without one), and its response is consumed on its own. Bodies are
 * copied up to a cap, and a cap on copies in flight sheds the excess rather than queueing it,
 * so a slow canary costs the main path nothing but the copy of a small body.
 */
export class Mirror {
  private inFlight = 0

  constructor(private readonly deps: MirrorDeps) {}

  /**
   * Called before the body is read. Returns the stream the proxy must forward the body from
   * (null: none): the same one when nothing needs copying, else a pass-through fed by the
   * client's body while the copy collects the same chunks.
   */
  copy(req: ClientRequest, sent: Forwarded, payload: Readable | null, canary: VersionPool): Readable | null {
    const { limits } = this.deps.settings()
    if (this.inFlight >= limits.mirrorsInFlight) return this.count(canary, 'shed', payload)
    const length = req.headers['content-length']
    if (length !== undefined && Number(length) > limits.mirrorBodyBytes) return this.count(canary, 'body_too_large', payload)
    // The slot is taken now, not when the copy leaves: a copy whose body is still arriving
    // holds memory too, and must count against the cap.
    this.inFlight++
    if (payload === null) {
      this.send(req, sent, canary, null)
      return null
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    const through = new PassThrough()
    payload.on('data', (c: Buffer) => {
      if (over) return
      size += c.length
      if (size > limits.mirrorBodyBytes) {
        over = true
        chunks.length = 0
        return
      }
      chunks.push(c)
    })
    let settled = false
    payload.once('end', () => {
      settled = true
      if (!over) return this.send(req, sent, canary, Buffer.concat(chunks, size))
      this.inFlight--
      this.count(canary, 'body_too_large', null)
    })
    // A client that aborts or errors mid-body sends no copy; give its slot back.
    payload.once('close', () => { if (!settled) { settled = true; this.inFlight-- } })
    payload.once('error', (err) => through.destroy(err))
    return payload.pipe(through)
  }

  private count(canary: VersionPool, outcome: MirrorOutcome, payload: Readable | null): Readable | null {
    this.deps.metrics.mirrorRequests.inc({ version: canary.name, result: outcome })
    return payload
  }

  /** Sends a copy whose slot `copy` took; every path out of here gives the slot back. */
  private send(req: ClientRequest, sent: Forwarded, canary: VersionPool, body: Buffer | null): void {
    const backend = pickBackend(canary)
    if (backend === undefined) {
      this.inFlight--
      return
    }
    backend.inflight++
    this.deps.metrics.mirrorRequests.inc({ version: canary.name, result: 'sent' })
    const { preserveHost, versionHeader } = this.deps.settings()
    const headers = upstreamRawHeaders(sent.rawHeaders, req.headers.connection, {
      clientAddress: req.socket.remoteAddress,
      proto: this.deps.proto,
      host: sent.host,
      upstreamHost: backend.host,
      preserveHost,
      versionHeader,
      version: canary.name,
    })
    headers.push('x-ramp-mirror', '1')
    if (body !== null) setContentLength(headers, body.length)
    const started = process.hrtime.bigint()
    const series = this.deps.metrics.requestSeries('mirror', canary.name)
    const window = this.deps.measurements.series('mirror', canary.name)
    const done = (status: number, reason: UpstreamReason | undefined): void => {
      this.inFlight--
      backend.inflight--
      recordResponse(series, window, status, Number(process.hrtime.bigint() - started) / 1e9, reason, this.deps.clock.now())
    }
    // A gRPC call goes over HTTP/2 to an https backend too, as the flight sends it.
    const origin = req.httpVersionMajor !== 1 && isGrpcContentType(req.headers['content-type']) ? backend.grpcOrigin : backend.origin
    this.deps.agent.request({ origin, path: sent.path, method: req.method as 'GET', headers, body })
      .then(async (res) => {
        await res.body.dump()
        done(res.statusCode, undefined)
      })
      .catch((err: unknown) => {
        const mapped = upstreamError(err, canary.name, backend.url)
        this.deps.metrics.upstreamErrors.inc({ version: canary.name, reason: mapped.reason })
        done(mapped.error.statusCode, mapped.reason)
      })
  }

}

/** The copy's body was read whole: its length replaces whatever framing the client used. */
function setContentLength(headers: string[], length: number): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if ((headers[i] as string).toLowerCase() === 'content-length') headers.splice(i, 2)
  }
  headers.push('content-length', String(length))
}
