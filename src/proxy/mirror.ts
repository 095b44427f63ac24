import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { Measurements, UpstreamReason } from '../analysis/window.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import { pickBackend } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import type { Clock } from '../rollout/clock.js'
import { clientHost, upstreamRequestHeaders } from './headers.js'
import type { ListenerSettings } from './listener-settings.js'
import { recordResponse } from './record.js'
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
   * Called before the body is parsed. Returns the stream the proxy must read the body from:
   * the same one when nothing needs copying, else a pass-through fed by the client's body
   * while the copy collects the same chunks.
   */
  copy(req: IncomingMessage, payload: Readable, canary: VersionPool): Readable {
    const { limits } = this.deps.settings()
    if (this.inFlight >= limits.mirrorsInFlight) return this.count(canary, 'shed', payload)
    const length = req.headers['content-length']
    const chunked = req.headers['transfer-encoding'] !== undefined
    if (length !== undefined && Number(length) > limits.mirrorBodyBytes) return this.count(canary, 'body_too_large', payload)
    // The slot is taken now, not when the copy leaves: a copy whose body is still arriving
    // holds memory too, and must count against the cap.
    this.inFlight++
    if (!chunked && (length === undefined || Number(length) === 0)) {
      this.send(req, canary, null)
      return payload
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
      if (!over) return this.send(req, canary, Buffer.concat(chunks, size))
      this.inFlight--
      this.count(canary, 'body_too_large', null)
    })
    // A client that aborts or errors mid-body sends no copy; give its slot back.
    payload.once('close', () => { if (!settled) { settled = true; this.inFlight-- } })
    payload.once('error', (err) => through.destroy(err))
    return payload.pipe(through)
  }

  private count(canary: VersionPool, outcome: MirrorOutcome, payload: Readable | null): Readable {
    this.deps.metrics.mirrorRequests.inc({ version: canary.name, result: outcome })
    return payload as Readable
  }

  /** Sends a copy whose slot `copy` took; every path out of here gives the slot back. */
  private send(req: IncomingMessage, canary: VersionPool, body: Buffer | null): void {
    const backend = pickBackend(canary)
    if (backend === undefined) {
      this.inFlight--
      return
    }
    backend.inflight++
    this.deps.metrics.mirrorRequests.inc({ version: canary.name, result: 'sent' })
    const { preserveHost, versionHeader } = this.deps.settings()
    const headers = upstreamRequestHeaders(req.headers, {
      clientAddress: req.socket.remoteAddress,
      proto: this.deps.proto,
      host: clientHost(req.headers),
      upstreamHost: backend.host,
      preserveHost,
      versionHeader,
      version: canary.name,
    })
    headers['x-ramp-mirror'] = '1'
    if (body !== null) headers['content-length'] = String(body.length)
    const started = process.hrtime.bigint()
    const series = this.deps.metrics.requestSeries('mirror', canary.name)
    const window = this.deps.measurements.series('mirror', canary.name)
    const done = (status: number, reason: UpstreamReason | undefined): void => {
      this.inFlight--
      backend.inflight--
      recordResponse(series, window, status, Number(process.hrtime.bigint() - started) / 1e9, reason, this.deps.clock.now())
    }
    this.deps.agent.request({ origin: backend.origin, path: req.url ?? '/', method: req.method as 'GET', headers: headers as Record<string, string>, body })
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
