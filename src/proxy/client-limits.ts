import type { Server } from 'node:http'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import type { Counter } from 'prom-client'
import type { Config } from '../config/load.js'
import { rampError } from '../errors.js'
import { clientErrorHandler, type ClientRejection } from './client-errors.js'
import { hostProblem } from './host-header.js'

export type ClientLimits = Config['clients']

/**
 * How often Node looks for connections past `headersTimeout` or `requestTimeout`. Node only
 * checks every `connectionsCheckingInterval` (30 s by default), so a slowloris client would
 * hold its connection up to 30 s past a 10 s limit. A tenth of the shortest limit, between
 * 10 ms and 1 s, cuts it within 10% of the limit; each check walks only the connections
 * with a request in progress. Examples: 10000 ms -> 1000, 300 ms -> 30, 50 ms -> 10.
 */
export function checkingIntervalMs(limits: Pick<ClientLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  const shortest = limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs
  return Math.min(1000, Math.max(10, Math.floor(shortest / 10)))
}

/** Node reads these from the server object (per connection, and at `listen`), but its types do not declare them. */
type LimitedServer = Server & { maxHeaderSize: number; connectionsCheckingInterval: number }

/**
 * The limits Node reads from a live server each time it needs them (per connection, per
 * request, per timeout check), so a reload sets them on the running servers.
 */
export function applyClientLimits(server: Server, limits: ClientLimits): void {
  server.maxHeadersCount = limits.maxHeaderCount
  // Timed from a request's first byte (from the accept for a new connection), so an idle
  // keep-alive connection is timed by keepAliveTimeout alone: the two limits are
  // independent on Node 20, and neither needs to be larger than the other.
  server.headersTimeout = limits.headersTimeoutMs
  server.requestTimeout = limits.requestTimeoutMs
  server.keepAliveTimeout = limits.keepAliveTimeoutMs
  server.maxConnections = limits.maxConnections
  // An HTTP/2 server announces its stream limit to sessions opened from now on.
  const h2 = server as Server & { updateSettings?: (settings: { maxConcurrentStreams: number }) => void }
  h2.updateSettings?.({ maxConcurrentStreams: limits.h2MaxConcurrentStreams })
}

/**
 * The limits fastify does not take as options, set as properties of a node server once it
 * exists rather than passed to `http.createServer`, so they hold whatever server it is:
 * http, https, or the HTTP/1 side of an HTTP/2 server.
 */
export function limitServer(server: Server, limits: ClientLimits, rejected: (reason: ClientRejection) => void): void {
  const limited = server as LimitedServer
  // Read when a connection is made into its parser: fixed for the server's life.
  limited.maxHeaderSize = limits.maxHeaderBytes
  // Read when the server starts listening.
  limited.connectionsCheckingInterval = checkingIntervalMs(limits)
  applyClientLimits(server, limits)
  server.on('drop', () => { rejected('max_connections') })
}

/** `ramp_client_rejections_total` for one listener, as a function of the reason. */
export function rejectionsOf(rejections: Counter<'listener' | 'reason'>, listener: string): (reason: ClientRejection) => void {
  return (reason) => { rejections.inc({ listener, reason }) }
}

export interface ClientGuard {
  /** Spread into `Fastify({...})`: what fastify itself sets on the server it creates. */
  readonly options: Pick<FastifyServerOptions, 'clientErrorHandler'>
  /** Sets the rest on `app.server` and adds the Host check; call before `listen`. */
  install(app: FastifyInstance): void
}

/** `config.clients` on the admin listener, a fastify instance. */
export function clientGuard(limits: ClientLimits, listener: string, rejections: Counter<'listener' | 'reason'>): ClientGuard {
  const rejected = rejectionsOf(rejections, listener)
  return {
    options: { clientErrorHandler: clientErrorHandler(rejected) },
    install(app) {
      limitServer(app.server, limits, rejected)
      app.addHook('onRequest', (request, reply, done) => {
        const problem = hostProblem(request.raw.rawHeaders, request.headers.host)
        if (problem === null) return done()
        rejected('bad_request')
        // HTTP/2 forbids the header, and its stream ends with the response anyway.
        if (request.raw.httpVersionMajor === 1) void reply.header('connection', 'close')
        done(rampError('RAMP_ERR_CLIENT_BAD_REQUEST', problem))
      })
    },
  }
}
