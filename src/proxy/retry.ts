import type { IncomingHttpHeaders } from 'node:http'
import { Stream } from 'node:stream'
import type { RetryDetails } from '@fastify/reply-from'
import type { Counter } from 'prom-client'
import type { Dispatcher } from 'undici'
import type { Logger } from '../log.js'
import type { Backend } from '../pool/backend.js'
import { observeFailure, observeStatus } from '../pool/observe.js'
import { pickBackend, type Random } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import { backoffDelay } from './backoff.js'
import type { RetryBudget } from './retry-budget.js'
import { replayable, retryReason, type RetryPolicy, type RetryReason } from './retry-policy.js'

/** What a retry reads and moves of one request in flight; the listener's flight is one. */
export interface RetriedFlight {
  readonly pool: VersionPool
  backend: Backend | null
  readonly request: { readonly method: string; readonly headers: IncomingHttpHeaders }
  /** Holds a slot of the budget, from a retry's decision to the outcome of that try. */
  holdsRetry: boolean
  /** The client's response has ended (served or aborted): nothing more is tried for it. */
  ended: boolean
}

/** The `result` label of `ramp_retries_total`. */
export type RetryResult = 'retried' | 'budget_exhausted' | 'no_other_backend'

const kFlight = Symbol('ramp.retry.flight')
type TaggedHeaders = IncomingHttpHeaders & { [kFlight]?: RetriedFlight }

/**
 * One try as reply-from hands it to `retryDelay` (its type declarations name the fastify
 * request and reply here, but these are the objects it passes): the upstream request it sends
 * again when told to, and the error or response of the try.
 */
interface Try {
  err: unknown
  req: { url: URL; headers: TaggedHeaders; body: unknown }
  res: { statusCode: number; stream: Dispatcher.ResponseData['body'] } | undefined
  attempt: number
}

export interface RetriesOptions {
  /** The config in force, read per try (a reload may change it). */
  settings: () => { readonly retry: RetryPolicy; readonly preserveHost: boolean }
  budget: RetryBudget
  counter: Counter<'version' | 'reason' | 'result'>
  random: Random
  log: Logger
}

/**
 * The retries of one listener, carried out inside reply-from through its `retryDelay` hook.
 * reply-from calls the hook with the outcome of every try, before any of it reaches the
 * client, and sends the same upstream request again after the delay the hook returns. So a
 * retry here moves the flight to another backend of the same version, points that request at
 * it, and discards the failed response's body (reply-from leaves it unread, which would hold
 * its upstream socket). The common path costs one symbol property per request and one call
 * per try that returns at its first test.
 */
export class Retries {
  constructor(private readonly opts: RetriesOptions) {}

  requestStarted(): void {
    this.opts.budget.requestStarted()
  }

  requestEnded(flight: RetriedFlight): void {
    flight.ended = true
    this.releaseSlot(flight)
    this.opts.budget.requestEnded()
  }

  /** Ties the upstream request headers to their flight: the hook is given nothing else of the request. */
  tag(headers: IncomingHttpHeaders, flight: RetriedFlight): void {
    (headers as TaggedHeaders)[kFlight] = flight
  }

  /** reply-from's `retryDelay`: milliseconds to wait before the next try, or null to hand this outcome on. */
  readonly delay = (details: RetryDetails): number | null => {
    const t = details as unknown as Try
    const flight = t.req.headers[kFlight]
    if (flight === undefined || flight.backend === null) return null
    this.releaseSlot(flight)
    const { retry: policy, preserveHost } = this.opts.settings()
    const reason = retryReason(policy, t.err, t.res?.statusCode)
    if (reason === undefined || flight.ended || t.attempt + 1 >= policy.attempts) return null
    if (!replayable(policy, flight.request.method, flight.request.headers, t.req.body instanceof Stream)) return null
    const failed = flight.backend
    // Only the backend that just failed is left out: with two backends, a third try goes back
    // to the first, whose failure is often a one-off (a reset on a reused keep-alive socket).
    const next = pickBackend(flight.pool, this.opts.random, failed)
    if (next === undefined) return this.refused(flight, reason, 'no_other_backend')
    // The budget keeps retries from adding load to backends that are failing. A try whose
    // connection was never made (refused, unreachable, connect timeout, TLS handshake) reached
    // no backend's application, so its retry adds none and takes no slot: when a backend dies,
    // the burst of requests already queued for it all go elsewhere.
    if (reason !== 'connect') {
      if (!this.opts.budget.take(policy.budget.ratio, policy.budget.minConcurrent)) return this.refused(flight, reason, 'budget_exhausted')
      flight.holdsRetry = true
    }
    this.opts.counter.inc({ version: flight.pool.name, reason, result: 'retried' })
    this.tryFailed(failed, reason, t.res?.statusCode)
    if (t.res !== undefined) void t.res.stream.dump()
    failed.inflight--
    next.inflight++
    flight.backend = next
    this.pointAt(t.req, next, preserveHost)
    // reply-from reads 0 as "do not retry"; a timer fires after 1 ms at the soonest anyway.
    return Math.max(1, backoffDelay(t.attempt + 1, policy.backoffMs, policy.maxBackoffMs, this.opts.random))
  }

  /**
   * A try that failed and is retried on another backend. The client never sees this outcome,
   * so this is the one place where passive health learns of it; the last try of a request is
   * seen where its response ends.
   */
  private tryFailed(backend: Backend, reason: RetryReason, status: number | undefined): void {
    if (status !== undefined) observeStatus(backend, status)
    else observeFailure(backend, reason === 'status' ? 'bad_response' : reason)
    this.opts.log.debug({ version: backend.version, backend: backend.url, reason, status }, 'try failed, retrying on another backend')
  }

  private refused(flight: RetriedFlight, reason: RetryReason, result: RetryResult): null {
    this.opts.counter.inc({ version: flight.pool.name, reason, result })
    return null
  }

  private releaseSlot(flight: RetriedFlight): void {
    if (!flight.holdsRetry) return
    flight.holdsRetry = false
    this.opts.budget.give()
  }

  private pointAt(req: Try['req'], backend: Backend, preserveHost: boolean): void {
    // reply-from shares its URL objects between requests (an LRU cache): replace, never mutate.
    const url = new URL(backend.origin)
    url.pathname = req.url.pathname
    req.url = url
    if (!preserveHost) req.headers.host = backend.host
    // Replayable with a stream means content-length 0: the empty stream is spent, send nothing.
    if (req.body instanceof Stream) req.body = undefined
  }
}
