import type { IncomingHttpHeaders } from 'node:http'
import type { Config } from '../config/load.js'
import { grpcMethodMatcher } from '../grpc/method-path.js'
import { grpcFailureTable } from '../grpc/status.js'
import { tryFailureOf, type TryFailure } from './upstream-errors.js'

/** Why a try was retried: the `reason` label of `ramp_retries_total`. */
export type RetryReason = TryFailure | 'status' | 'grpc_status'

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
  readonly grpc: GrpcRetryPolicy
}

/** `grpc.retry`: the calls that may be retried after a backend saw them, and after what. */
export interface GrpcRetryPolicy {
  /** Whether a call's path is a method named safe to call twice. */
  readonly safe: (path: string) => boolean
  /** By gRPC code: true for the codes of a trailers-only answer a safe call is retried after. */
  readonly onCodes: readonly boolean[]
  /** Request bytes kept for a retry of a safe call. */
  readonly bufferBytes: number
}

const nonIdempotent = new Set(['POST', 'PATCH'])

export function retryPolicy(retry: Config['retry'], grpc: Config['grpc']['retry']): RetryPolicy {
  return {
    attempts: retry.attempts,
    methods: new Set(retry.methods.filter((m) => retry.nonIdempotent || !nonIdempotent.has(m))),
    statuses: new Set(retry.onStatus),
    backoffMs: retry.backoffMs,
    maxBackoffMs: retry.maxBackoffMs,
    budget: retry.budget,
    grpc: { safe: grpcMethodMatcher(grpc.methods), onCodes: grpcFailureTable(grpc.onCodes), bufferBytes: grpc.bufferBytes },
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

/** What the retry decision reads of a gRPC call. */
export interface GrpcCall {
  readonly path: string
  /** Some of the call's body has been read (and sent to a backend that failed). */
  readonly bodyRead: boolean
  /** The whole body read so far is kept, so the call can be sent again as it was. */
  readonly bodyKept: boolean
}

/**
 * Whether a gRPC call can be sent again after a try that failed for `reason`. gRPC calls are
 * not known to be idempotent, so a call is retried only when its try reached no backend
 * (`connect`: refused, unreachable, a refused stream) and none of its body has been read (an
 * HTTP/2 stream opens only once its connection is up, so a failed connection leaves the body
 * to the next try); unless `grpc.retry.methods` names its method safe, when any failure
 * a retry follows will do, while its body is kept.
 */
export function grpcReplayable(policy: RetryPolicy, reason: RetryReason, call: GrpcCall): boolean {
  if (policy.grpc.safe(call.path)) return call.bodyKept
  return reason === 'connect' && !call.bodyRead
}

/**
 * How a try failed, when that failure may be retried; undefined for a success and every other
 * failure. `grpcCode` is the `grpc-status` of a trailers-only answer (-1 for none).
 */
export function retryReason(policy: RetryPolicy, err: unknown, status: number | undefined, grpcCode: number): RetryReason | undefined {
  if (err !== undefined && err !== null) return tryFailureOf(err)
  if (status !== undefined && policy.statuses.has(status)) return 'status'
  return grpcCode >= 0 && policy.grpc.onCodes[grpcCode] === true ? 'grpc_status' : undefined
}
