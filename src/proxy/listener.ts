import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Counter } from 'prom-client'
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
import { pickBackend } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import { decide } from '../routing/decide.js'
import { mirrorTarget } from '../routing/mirror.js'
import { bucketCookie } from '../routing/sticky.js'
import type { RoutingTable } from '../routing/table.js'
import type { Listener, RequestFacts } from '../routing/types.js'
import { factsOf } from './facts.js'
import { listenerSettings } from './listener-settings.js'
import { Mirror } from './mirror.js'
import { recordResponse } from './record.js'
import type { TableHolder } from '../routing/table.js'
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js'
import { noBackendError, upstreamError } from './upstream-errors.js'

/** What one request picked, from the pick to the end of its response. */
interface Flight {
  readonly pool: VersionPool
  readonly backend: Backend | null
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
}

/**
 * One data-plane listener (main or preview) as a fastify instance. It holds no routing
 * decision of its own: it asks decide (the version) and pickBackend, forwards through
 * @fastify/http-proxy, and records what happened.
 */
export async function createListener(opts: ListenerOptions): Promise<FastifyInstance> {
  const { name, config, tables, metrics, log, random, measurements, clock } = opts
  const settings = listenerSettings(config)

  const app = Fastify({
    logger: false,
    requestIdHeader: false,
    // While draining, a request arriving on an open keep-alive connection was accepted: it is
    // served, with `connection: close` (src/lifecycle/drain.ts), not refused with a 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 65_535 },
  })
  app.decorateRequest('rampFlight', null)
  app.decorateRequest('rampDecision', null)
  app.decorateRequest('rampReason', null)

  function finish(this: TrackedResponse): void {
    const flight = this[kFlight]
    if (flight === undefined) return
    this[kFlight] = undefined
    if (flight.backend !== null) flight.backend.inflight--
    const status = this.headersSent ? this.statusCode : 499
    const seconds = Number(process.hrtime.bigint() - flight.start) / 1e9
    recordResponse(flight.series, flight.window, status, seconds, flight.upstreamReason, clock.now())
    const { accessRatio } = settings()
    if (accessRatio > 0 && (accessRatio >= 1 || random() < accessRatio)) {
      const req = flight.request
      log.info({ access: { listener: name, method: req.method, url: req.url, status, version: flight.pool.name, reason: req.rampReason, backend: flight.backend?.url ?? null, ms: Math.round(seconds * 1e6) / 1e3, completed: this.writableFinished } }, 'access')
    }
  }

  function track(request: FastifyRequest, reply: FastifyReply, pool: VersionPool, backend: Backend | null): void {
    const flight: Flight = { pool, backend, series: metrics.requestSeries(name, pool.name), window: measurements.series(name, pool.name), start: process.hrtime.bigint(), request, upstreamReason: undefined }
    request.rampFlight = flight
    const res = reply.raw as TrackedResponse
    res[kFlight] = flight
    res.once('close', finish)
  }

  function sendError(reply: FastifyReply, err: RampError): void {
    if (reply.sent) return
    void reply.code(err.statusCode).header('x-ramp-error', err.code).type('text/plain; charset=utf-8').send(`${err.statusCode} ${err.message}\n`)
  }

  const decisions = new Map<string, Counter.Internal>()
  const decisionCounter = (reason: string, version: string): Counter.Internal => {
    const key = `${reason}\u0000${version}`
    let c = decisions.get(key)
    if (c === undefined) decisions.set(key, c = metrics.routingDecisions.labels({ reason, version }))
    return c
  }
  const mirror = new Mirror({ agent: opts.agent, metrics, measurements, clock, log, settings })

  /** The one precedence (src/routing/decide.ts), counted by reason; a sticky newcomer gets its bucket cookie. */
  function decideFor(req: IncomingMessage, reply: FastifyReply): { pool: VersionPool; facts: RequestFacts; table: RoutingTable; reason: string } {
    const table = tables.current
    const facts = factsOf(req)
    const d = decide(table, table.shaping, name, facts, random, table.exact)
    decisionCounter(d.reason, d.version.name).inc()
    if (d.ignoredOverride) metrics.overridesIgnored.inc()
    const sticky = table.shaping.stickiness
    if (d.assignBucket !== null && sticky?.kind === 'cookie') {
      void reply.header('set-cookie', bucketCookie(sticky, d.assignBucket))
    }
    return { pool: d.version, facts, table, reason: d.reason }
  }

  // The version is chosen before the body is read, so that a mirrored request can have its
  // body copied as it streams in.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const { pool, facts, table, reason } = decideFor(request.raw, reply)
    request.rampDecision = pool
    request.rampReason = reason
    const copyTo = mirrorTarget(table, table.shaping, name, pool, facts, random)
    done(null, copyTo === null ? payload : mirror.copy(request.raw, payload, copyTo))
  })

  app.setErrorHandler((err, request, reply) => {
    if (isRampError(err)) return sendError(reply, err)
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
        return upstreamRequestHeaders(headers, {
          clientAddress: request.raw.socket.remoteAddress,
          proto: 'http',
          host: request.headers.host,
          upstreamHost: flight.backend.host,
          preserveHost,
          versionHeader,
          version: flight.pool.name,
        })
      },
      rewriteHeaders(headers, request): IncomingHttpHeaders {
        return clientResponseHeaders(headers, settings().responseVersionHeader, request?.rampFlight?.pool.name ?? '') as IncomingHttpHeaders
      },
      onError(reply, { error }) {
        const flight = reply.request.rampFlight as Flight & { backend: Backend }
        const mapped = upstreamError(error, flight.pool.name, flight.backend.url)
        metrics.upstreamErrors.inc({ version: flight.pool.name, reason: mapped.reason })
        flight.upstreamReason = mapped.reason
        log.debug({ err: error, version: flight.pool.name, backend: flight.backend.url, reason: mapped.reason }, 'upstream error')
        sendError(reply as FastifyReply, mapped.error)
      },
    },
  })
  return app
}
