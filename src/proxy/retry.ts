import type { IncomingHttpHeaders } from 'node:http'
import type { Counter } from 'prom-client'
import type { Logger } from '../log.js'
import type { Backend } from '../pool/backend.js'
import { observeFailure, observeOutcome, observeStatus } from '../pool/observe.js'
import { pickBackend, type Random } from '../pool/p2c.js'
import type { VersionPool } from '../pool/pool.js'
import { backoffDelay } from './backoff.js'
import type { RetryBudget } from './retry-budget.js'
import { grpcReplayable, replayable, retryReason, type GrpcCall, type RetryPolicy, type RetryReason } from './retry-policy.js'

/** What a retry reads and moves of one request in flight; the listener's flight is one. */
export interface RetriedFlight extends GrpcCall {
  readonly pool: VersionPool
  backend: Backend | null
  readonly method: string
  readonly headers: IncomingHttpHeaders
  /** A body stream was forwarded with the first try: it cannot be sent again. */
  readonly streamsBody: boolean
  /** A gRPC call: retried only when it reached no backend, or its method is safe (see `grpcReplayable`). */
  readonly grpc: boolean
  /** Tries made so far, the first included. */
  tries: number
  /** Holds a slot of the budget, from a retry's decision to the outcome of that try. */
  holdsRetry: boolean
  /** The client's response has ended (served or aborted): nothing more is tried for it. */
  ended: boolean
}

/** The `result` label of `ramp_retries_total`. */
export type RetryResult = 'retried' | 'budget_exhausted' | 'no_other_backend'

export interface RetriesOptions {
  /** The config in force, read per try (a reload may change it). */
  settings: () => { readonly retry: RetryPolicy; readonly grpcErrorCodes: readonly boolean[] }
  budget: RetryBudget
  counter: Counter<'version' | 'reason' | 'result'>
  random: Random
  log: Logger
}

/**
 * The retries of one listener. A flight asks `next` with the outcome of each try that failed
 * before its response reached the client (an error before the head, or a status of
 * `retry.onStatus` whose body it then discards). A yes moves the flight to another backend of
 * the same version and says how long to back off; the flight dispatches again. The common
 * path costs one call per response that returns at its first test.
 */
export class Retries {
  constructor(private readonly opts: RetriesOptions) {}

  requestStarted(): void {
    this.opts.budget.requestStarted()
  }

  requestEnded(flight: RetriedFlight): void {
    flight.ended = true
    this.tryEnded(flight)
    this.opts.budget.requestEnded()
  }

  /** The try a retry's slot was held for has an outcome: the slot goes back. */
  tryEnded(flight: RetriedFlight): void {
    if (!flight.holdsRetry) return
    flight.holdsRetry = false
    this.opts.budget.give()
  }

  /** Whether `status` is one a retry may follow, before the flight decides to hold its response back. */
  retriesStatus(status: number): boolean {
    return this.opts.settings().retry.statuses.has(status)
  }

  /**
   * After a failed try (`err`, or a response of `status`, or a trailers-only gRPC answer of
   * `grpcCode`): milliseconds to back off before the next try, with `flight.backend` already
   * moved; or null to hand this outcome to the client.
   */
  next(flight: RetriedFlight, err: unknown, status: number | undefined, grpcCode = -1): number | null {
    this.tryEnded(flight)
    const failed = flight.backend
    if (failed === null || flight.ended) return null
    const { retry: policy } = this.opts.settings()
    const reason = retryReason(policy, err, status, grpcCode)
    if (reason === undefined || flight.tries >= policy.attempts) return null
    if (!(flight.grpc ? grpcReplayable(policy, reason, flight) : replayable(policy, flight.method, flight.headers, flight.streamsBody))) return null
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
    this.tryFailed(failed, reason, status, grpcCode)
    failed.inflight--
    next.inflight++
    flight.backend = next
    return backoffDelay(flight.tries, policy.backoffMs, policy.maxBackoffMs, this.opts.random)
  }

  /**
   * A try that failed and is retried on another backend. The client never sees this outcome,
   * so this is the one place where passive health learns of it; the last try of a request is
   * seen where its response ends.
   */
  private tryFailed(backend: Backend, reason: RetryReason, status: number | undefined, grpcCode: number): void {
    if (reason === 'grpc_status') observeOutcome(backend, this.opts.settings().grpcErrorCodes[grpcCode] === true)
    else if (status !== undefined) observeStatus(backend, status)
    else observeFailure(backend, reason === 'status' ? 'bad_response' : reason)
    this.opts.log.debug({ version: backend.version, backend: backend.url, reason, status, grpcStatus: grpcCode >= 0 ? grpcCode : undefined }, 'try failed, retrying on another backend')
  }

  private refused(flight: RetriedFlight, reason: RetryReason, result: RetryResult): null {
    this.opts.counter.inc({ version: flight.pool.name, reason, result })
    return null
  }
}
