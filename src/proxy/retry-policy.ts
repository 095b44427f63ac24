import type { IncomingHttpHeaders } from 'node:http'
import type { Config } from '../config/load.js'
import { tryFailureOf, type TryFailure } from './upstream-errors.js'

/** Why a try was retried: the `reason` label of `ramp_retries_total`. */
export type RetryReason = TryFailure | 'status'

/** `config.retry` in the shape the request path asks it. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number
  /** Methods that may be retried, POST and PATCH already left out unless `nonIdempotent`. */
  readonly methods: ReadonlySet<string>
  readonly statuses: ReadonlySet<number>
  readonly backoffMs: number
  readonly maxBackoffMs: number
  /** Retries in flight at most max(minConcurrent, ratio x requests in flight): src/proxy/retry-budget.ts. */
  readonly budget: { readonly ratio: number; readonly minConcurrent: number }
}

const nonIdempotent = new Set(['POST', 'PATCH'])

export function retryPolicy(retry: Config['retry']): RetryPolicy {
  return {
    attempts: retry.attempts,
    methods: new Set(retry.methods.filter((m) => retry.nonIdempotent || !nonIdempotent.has(m))),
    statuses: new Set(retry.onStatus),
    backoffMs: retry.backoffMs,
    maxBackoffMs: retry.maxBackoffMs,
    budget: retry.budget,
  }
}

/**
 * Whether a request can be sent again as it was first sent. ramp never buffers a body, so a
 * body that streamed to the failed backend cannot be sent again: only a request without one
 * is replayable, that is without `transfer-encoding` and with a `content-length` of 0 or none.
 * `bodyStreamed` says whether a body stream was forwarded at all, since an HTTP/2 request can
 * carry a body with neither header.
 */
export function replayable(policy: RetryPolicy, method: string, headers: IncomingHttpHeaders, bodyStreamed: boolean): boolean {
  if (!policy.methods.has(method) || headers['transfer-encoding'] !== undefined) return false
  const length = headers['content-length']
  return length === '0' || (length === undefined && !bodyStreamed)
}

/**
 * Whether a gRPC call can be sent again after a try that failed for `reason`: gRPC calls are
 * not known to be idempotent, so only a try that reached no backend (`connect`: refused,
 * unreachable, a refused stream) is retried, whatever the method list says, and only while
 * none of the call's body has been read (an HTTP/2 stream is opened only once its connection
 * is up, so a failed connection leaves the body to the next try).
 */
export function grpcReplayable(reason: RetryReason, bodyRead: boolean): boolean {
  return reason === 'connect' && !bodyRead
}

/** How a try failed, when that failure may be retried; undefined for a success and every other failure. */
export function retryReason(policy: RetryPolicy, err: unknown, status: number | undefined): RetryReason | undefined {
  if (err !== undefined && err !== null) return tryFailureOf(err)
  return status !== undefined && policy.statuses.has(status) ? 'status' : undefined
}
