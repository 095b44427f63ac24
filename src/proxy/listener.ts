import type { Server, ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { Dispatcher } from 'undici'
import type { Measurements } from '../analysis/window.js'
import type { CurrentConfig } from '../config/current.js'
import { rampError } from '../errors.js'
import { isGrpcContentType } from '../grpc/status.js'
import type { ListenerDrain } from './drain.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import { pickBackend } from '../pool/p2c.js'
import { mirrorTarget } from '../routing/mirror.js'
import type { TableHolder } from '../routing/table.js'
import type { Listener } from '../routing/types.js'
import type { Clock } from '../clock.js'
import type { Certificates } from '../tls/certificates.js'
import { createChooser } from './choose.js'
import { rejectionsOf } from './client-limits.js'
import { BodyReplay } from './body-replay.js'
import { bodyOf, Flight, type UpstreamOptions, type ClientRequest, type FlightDeps } from './flight.js'
import { clientHost, upstreamRawHeaders } from './headers.js'
import { hostProblem } from './host-header.js'
import { listenerSettings } from './listener-settings.js'
import { Mirror } from './mirror.js'
import { sendError, type ClientResponse } from './respond.js'
import { Retries } from './retry.js'
import { RetryBudget } from './retry-budget.js'
import { createDataServer } from './server.js'
import { targetOf } from './target.js'
import type { Tunnels } from './tunnels.js'
import { upgradeHandler } from './upgrade.js'
import { noBackendError } from './upstream-errors.js'

export interface ListenerOptions {
  name: Listener
  /** Read per request: a reload replaces the config in force. */
  config: CurrentConfig
  tables: TableHolder
  /** The upstream dispatcher (a reload may swap the agent behind it). */
  agent: Dispatcher
  metrics: Metrics
  log: Logger
  random: () => number
  /** What analysis reads: per-version windows of this listener's responses. */
  measurements: Measurements
  clock: Clock
  /** Every upgrade of the process, so that shutdown can close them. */
  tunnels: Tunnels
  /** The listener's certificate and key, read at start; null for plain HTTP. */
  certificates: Certificates | null
  /** Told of every request the listener takes on, so that shutdown can drain them. */
  drain?: ListenerDrain
}

/** One data-plane listener (main or preview): its node server, and how to start and stop it. */
export interface DataListener {
  readonly server: Server
  listen(host: string, port: number): Promise<void>
  /** Stops accepting, sends GOAWAY to HTTP/2 sessions, and resolves once every connection closed. */
  close(): Promise<void>
  readonly url: string
}

/**
 * One data-plane listener: a node:http / https / http2 request handler of ramp's own. It holds
 * no routing decision: it asks `choose` (the precedence) and `pickBackend`, makes the request's
 * one Flight, and dispatches it through undici.
 */
export function createListener(opts: ListenerOptions): DataListener {
  const { name, config, tables, metrics, log, random, measurements, clock } = opts
  const settings = listenerSettings(config)
  const proto = opts.certificates === null ? 'http' : 'https'
  const http2 = (name === 'main' ? config.current.listen : config.current.preview)?.http2 === true
  const rejected = rejectionsOf(metrics.clientRejections, name)
  const retries = new Retries({ settings, budget: new RetryBudget(), counter: metrics.retries, random, log })
  const deps: FlightDeps = { listener: name, agent: opts.agent, settings, retries, metrics, log, clock, random, drain: opts.drain }
  const mirror = new Mirror({ agent: opts.agent, metrics, measurements, clock, log, settings, proto })
  const choose = createChooser(name, tables, metrics, random, measurements, clock)

  /**
   * An HTTP/2 request is taken up once the frames read with its HEADERS have all been
   * processed: a stream its client reset in the same read (the rapid-reset pattern) is then
   * closed already and costs no decision, no upstream request and no upstream connection.
   */
  function handle(req: ClientRequest, res: ClientResponse): void {
    if (req.httpVersionMajor === 1) run(req, res)
    else setImmediate(run, req, res)
  }

  /** Whatever goes wrong inside ramp with one request is that request's 500, never the process's end. */
  function run(req: ClientRequest, res: ClientResponse): void {
    try {
      forward(req, res)
    } catch (err) {
      log.error({ err, url: req.url, listener: name }, 'request failed inside ramp')
      sendError(res, rampError('RAMP_ERR_INTERNAL', 'internal error in ramp'))
    }
  }

  function forward(req: ClientRequest, res: ClientResponse): void {
    const http1 = req.httpVersionMajor === 1
    const url = req.url as string
    const target = url.charCodeAt(0) === 47 ? null : targetOf(url)
    if (http1) {
      const problem = hostProblem(req.rawHeaders, req.headers.host) ?? (target !== null && target.path === null ? `the request target ${JSON.stringify(url.slice(0, 64))} is neither a path nor an absolute URL` : null)
      if (problem !== null) {
        rejected('bad_request')
        return sendError(res, rampError('RAMP_ERR_CLIENT_BAD_REQUEST', problem), null, true)
      }
    }
    // A stream the client already cancelled (HEADERS then RST_STREAM) costs no decision and no backend.
    if (http1 ? (res as ServerResponse).destroyed : (res as Http2ServerResponse).stream.destroyed) return
    const { pool, facts, table, reason, lane, setCookie } = choose(req as Parameters<typeof choose>[0])
    const backend = pickBackend(pool, random) ?? null
    const current = settings()
    const host = target?.authority ?? clientHost(req.headers)
    const raw = req.rawHeaders.length > current.rawHeaderEntries ? req.rawHeaders.slice(0, current.rawHeaderEntries) : req.rawHeaders
    const headers = upstreamRawHeaders(raw, req.headers.connection, {
      clientAddress: req.socket.remoteAddress,
      proto,
      host,
      upstreamHost: backend?.host ?? '',
      preserveHost: current.preserveHost,
      versionHeader: current.versionHeader,
      version: pool.name,
    })
    const path = target?.path ?? url
    const grpc = !http1 && isGrpcContentType(req.headers['content-type'])
    let body: UpstreamOptions['body'] = bodyOf(req)
    const copyTo = mirrorTarget(table, table.shaping, name, pool, facts, random)
    if (copyTo !== null) body = mirror.copy(req, { path, rawHeaders: raw, host }, body, copyTo)
    // A call of a method safe to call twice keeps its body for a retry after a backend saw it.
    if (grpc && body !== null && current.retry.grpc.safe(path)) body = new BodyReplay(body, current.retry.grpc.bufferBytes)
    const flight = new Flight(deps, req, res, pool, lane, reason, setCookie, backend, {
      origin: '',
      path,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body,
    }, grpc)
    retries.requestStarted()
    opts.drain?.admit(res as ServerResponse, http1)
    if (backend === null) {
      const { error, reason: why } = noBackendError(pool.name)
      metrics.upstreamErrors.inc({ version: pool.name, reason: why })
      return flight.fail(why, error)
    }
    backend.inflight++
    // The client waits for this before it sends a body it announced with `Expect: 100-continue`.
    if (body !== null && req.headers.expect !== undefined) res.writeContinue()
    flight.send()
  }

  const { server, h2 } = createDataServer(opts.certificates, http2, () => config.current.clients, rejected, handle)
  // Node hands an `Upgrade:` request to this event instead of the request handler.
  server.on('upgrade', upgradeHandler({ name, choose, tunnels: opts.tunnels, metrics, measurements, clock, log, random, settings, proto }))

  return {
    server,
    listen: (host, port) => new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    }),
    close: () => new Promise<void>((resolve) => {
      h2?.closeAll()
      server.close(() => resolve())
      server.closeIdleConnections?.()
    }),
    get url() { return serverUrl(server, proto === 'https') },
  }
}

/** The URL a client uses to reach a listening server: a wildcard address becomes loopback. */
export function serverUrl(server: { address(): unknown }, secure: boolean): string {
  const addr = server.address() as AddressInfo
  return urlOf(addr.address, addr.port, secure)
}

/** A URL a client on this host can reach an address by: the wildcard addresses become loopback. */
export function urlOf(address: string, port: number, secure: boolean): string {
  const host = address.includes(':') ? `[${address === '::' ? '::1' : address}]` : address === '0.0.0.0' ? '127.0.0.1' : address
  return `${secure ? 'https' : 'http'}://${host}:${port}`
}
