import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import httpProxy from '@fastify/http-proxy'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import type { Measurements, Series, UpstreamReason } from '../analysis/window.js'
import type { CurrentConfig } from '../config/current.js'
import type { Clock } from '../rollout/clock.js'
import { isRampError, type RampError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Metrics, RequestSeries } from '../metrics/registry.js'
import type { Backend } from '../pool/backend.js'
import { observeStatus } from '../pool/observe.js'
import { pickBackend } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import { mirrorTarget } from '../routing/mirror.js'
import type { Listener } from '../routing/types.js'
import type { Certificates } from '../tls/certificates.js'
import { transportOptions } from '../tls/transport.js'
import { createChooser } from './choose.js'
import { closeSessionsOnClose } from './h2-sessions.js'
import { listenerSettings } from './listener-settings.js'
import type { ListenerDrain } from '../lifecycle/drain.js'
import { Mirror } from './mirror.js'
import { recordResponse, upstreamFailure } from './record.js'
import { Retries, type RetriedFlight } from './retry.js'
import { RetryBudget } from './retry-budget.js'
import type { TableHolder } from '../routing/table.js'
import { clientHost, clientResponseHeaders, upstreamRequestHeaders } from './headers.js'
import type { Tunnels } from './tunnels.js'
import { upgradeHandler } from './upgrade.js'
import { isUpstreamFailure, noBackendError } from './upstream-errors.js'
import { clientGuard } from './client-limits.js'
import { upstreamBodyWatcher } from './upstream-body.js'

/** What one request picked (its pool and backend), from the pick to the end of its response. A retry moves `backend`. */
interface Flight extends RetriedFlight {
  readonly series: RequestSeries
  readonly window: Series
  readonly start: bigint
  readonly request: FastifyRequest
  /** Set when the upstream failed, so analysis counts the failure by its reason. */
  upstreamReason: UpstreamReason | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    rampFlight: Flight | null
    rampDecision: VersionPool | null
    rampReason: string | null
  }
}

const kFlight = Symbol('ramp.flight')
type TrackedResponse = ServerResponse & { [kFlight]?: Flight }

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

/**
 * One data-plane listener (main or preview) as a fastify instance. It holds no routing
 * decision of its own: it asks decide (the version) and pickBackend, forwards through
 * @fastify/http-proxy, and records what happened.
 */
export async function createListener(opts: ListenerOptions): Promise<FastifyInstance> {
  const { name, config, tables, metrics, log, random, measurements, clock } = opts
  const settings = listenerSettings(config)
  const proto = opts.certificates === null ? 'http' : 'https'
  const http2 = opts.certificates !== null && (name === 'main' ? config.current.listen : config.current.preview)?.http2 === true

  const guard = clientGuard(config.current.clients, name, metrics.clientRejections)
  const app = Fastify({
    ...transportOptions(opts.certificates, http2),
    logger: false,
    requestIdHeader: false,
    // While draining, a request arriving on an open keep-alive connection was accepted: it is
    // served, with `connection: close` (src/lifecycle/drain.ts), not refused with a 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 65_535 },
    ...guard.options,
  })
  if (http2) closeSessionsOnClose(app)
  guard.install(app)
  app.decorateRequest('rampFlight', null)
  app.decorateRequest('rampDecision', null)
  app.decorateRequest('rampReason', null)

  const retries = new Retries({
    settings,
    budget: new RetryBudget(),
    counter: metrics.retries,
    random,
    log,
  })

  function finish(this: TrackedResponse): void {
    const flight = this[kFlight]
    if (flight === undefined) return
    this[kFlight] = undefined
    retries.requestEnded(flight)
    opts.drain?.ended(this)
    if (flight.backend !== null) flight.backend.inflight--
    const status = this.headersSent ? this.statusCode : 499
    if (flight.backend !== null && flight.upstreamReason === undefined && this.headersSent) observeStatus(flight.backend, status)
    const seconds = Number(process.hrtime.bigint() - flight.start) / 1e9
    recordResponse(flight.series, flight.window, status, seconds, flight.upstreamReason, clock.now())
    const { accessRatio } = settings()
    if (accessRatio > 0 && (accessRatio >= 1 || random() < accessRatio)) {
      const req = flight.request
      log.info({ access: { listener: name, method: req.method, url: req.url, status, version: flight.pool.name, reason: req.rampReason, backend: flight.backend?.url ?? null, ms: Math.round(seconds * 1e6) / 1e3, completed: this.writableFinished } }, 'access')
    }
  }

  function track(request: FastifyRequest, reply: FastifyReply, pool: VersionPool, backend: Backend | null): void {
    const flight: Flight = { pool, backend, series: metrics.requestSeries(name, pool.name), window: measurements.series(name, pool.name), start: process.hrtime.bigint(), request, upstreamReason: undefined, holdsRetry: false, ended: false }
    retries.requestStarted()
    request.rampFlight = flight
    const res = reply.raw as TrackedResponse
    opts.drain?.admit(res, request.raw.httpVersionMajor === 1)
    res[kFlight] = flight
    // A response closes once; `on` spares the wrapper `once` allocates per request.
    res.on('close', finish)
  }

  function sendError(reply: FastifyReply, err: RampError): void {
    if (reply.sent) return
    void reply.code(err.statusCode).header('x-ramp-error', err.code).type('text/plain; charset=utf-8').send(`${err.statusCode} ${err.message}\n`)
  }

  /** Counts an upstream failure where metrics and analysis see it, and returns ramp's error for it. */
  function upstreamFailed(flight: Flight & { backend: Backend }, error: unknown): RampError {
    const mapped = upstreamFailure(metrics, log, flight.backend, error)
    flight.upstreamReason = mapped.reason
    return mapped.error
  }
  const watchBody = upstreamBodyWatcher((client, err) => {
    const flight = (client as TrackedResponse)[kFlight]
    if (flight?.backend != null) upstreamFailed(flight as Flight & { backend: Backend }, err)
  })
  const mirror = new Mirror({ agent: opts.agent, metrics, measurements, clock, log, settings, proto })
  const choose = createChooser(name, tables, metrics, random, measurements, clock)

  // Node hands an `Upgrade:` request to this event instead of the request handler, so
  // fastify never answers it (our @fastify/http-proxy registration has websocket off).
  app.server.on('upgrade', upgradeHandler({ name, choose, tunnels: opts.tunnels, metrics, measurements, clock, log, random, settings, proto }))

  // The version is chosen before the body is read, so that a mirrored request can have its
  // body copied as it streams in.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const { pool, facts, table, reason, setCookie } = choose(request.raw)
    if (setCookie !== null) void reply.header('set-cookie', setCookie)
    request.rampDecision = pool
    request.rampReason = reason
    const copyTo = mirrorTarget(table, table.shaping, name, pool, facts, random)
    done(null, copyTo === null ? payload : mirror.copy(request.raw, payload, copyTo))
  })

  app.setErrorHandler((err, request, reply) => {
    if (isRampError(err)) return sendError(reply, err)
    // The upstream body failed before its first byte went out (fastify sends the headers with
    // it): still time for a 502, without the headers copied from the failed response.
    const flight = request.rampFlight
    if (flight?.backend != null && isUpstreamFailure(err)) {
      for (const header of Object.keys(reply.getHeaders())) reply.removeHeader(header)
      return sendError(reply, upstreamFailed(flight as Flight & { backend: Backend }, err))
    }
    const status = (err as { statusCode?: number }).statusCode
    if (status !== undefined && status >= 400 && status < 500) {
      void reply.code(status).type('text/plain; charset=utf-8').send(`${status} ${(err as Error).message}\n`)
      return
    }
    log.error({ err, url: request.url, listener: name }, 'request failed inside ramp')
    void reply.code(500).type('text/plain; charset=utf-8').send('500 internal error in ramp\n')
  })

  await app.register(httpProxy, {
    upstream: '',
    undici: opts.agent,
    disableRequestLogging: true,
    internalRewriteLocationHeader: false,
    preHandler(request, reply, done) {
      // Decided in preParsing, which runs for every request.
      const pool = request.rampDecision as VersionPool
      const backend = pickBackend(pool, random) ?? null
      track(request, reply, pool, backend)
      if (backend === null) {
        const { error, reason } = noBackendError(pool.name)
        metrics.upstreamErrors.inc({ version: pool.name, reason })
        ;(request.rampFlight as Flight).upstreamReason = reason
        sendError(reply, error)
        return
      }
      backend.inflight++
      done()
    },
    replyOptions: {
      getUpstream(request) {
        return (request.rampFlight as Flight & { backend: Backend }).backend.origin
      },
      rewriteRequestHeaders(request, headers): IncomingHttpHeaders {
        const flight = request.rampFlight as Flight & { backend: Backend }
        const { preserveHost, versionHeader } = settings()
        const upstream = upstreamRequestHeaders(headers, {
          clientAddress: request.raw.socket.remoteAddress,
          proto,
          host: clientHost(request.headers),
          upstreamHost: flight.backend.host,
          preserveHost,
          versionHeader,
          version: flight.pool.name,
        })
        // The object returned here is the one reply-from hands the retry hook with each try.
        retries.tag(upstream, flight)
        return upstream
      },
      // Set even when retries are off: reply-from's default retries a GET's 503 up to ten
      // times on the same backend, leaving each discarded body unread.
      retryDelay: retries.delay,
      rewriteHeaders(headers, request): IncomingHttpHeaders {
        return clientResponseHeaders(headers, settings().responseVersionHeader, request?.rampFlight?.pool.name ?? '') as IncomingHttpHeaders
      },
      onResponse(_request, reply, res) {
        watchBody(res.stream, reply.raw)
        void reply.send(res.stream)
      },
      onError(reply, { error }) {
        sendError(reply as FastifyReply, upstreamFailed(reply.request.rampFlight as Flight & { backend: Backend }, error))
      },
    },
  })
  return app
}
