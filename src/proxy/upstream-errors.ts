import { rampError, type RampError, type RampErrorCode } from '../errors.js'

import type { UpstreamReason } from '../upstream-reason.js'

export type { UpstreamReason }

/**
 * A failed try that may be retried elsewhere: `connect` (no connection was made, so the
 * backend saw nothing) or `reset` (the connection closed before any response header).
 */
export type TryFailure = 'connect' | 'reset'

interface Mapping { code: RampErrorCode; reason: UpstreamReason; says: string; retry?: TryFailure }

/**
 * The one place where a foreign upstream failure (a Node errno, an undici code) becomes ramp's 502, 503 or 504. Unknown failures are 502: the upstream side failed,
 * whatever the cause. `retry` marks the failures a retry may follow. A connect timeout
 * does; a headers or body timeout does not (the backend may still be working on the
 * request), nor `ETIMEDOUT` (it may come after the request was sent), nor `UND_ERR_CLOSED`
 * (ramp's own Agent shutting down).
 */
const byCode: Record<string, Mapping> = {
  ECONNREFUSED: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'refused the connection', retry: 'connect' },
  EHOSTUNREACH: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'is unreachable', retry: 'connect' },
  ENETUNREACH: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'is unreachable', retry: 'connect' },
  ENOTFOUND: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'has a host name that does not resolve', retry: 'connect' },
  EAI_AGAIN: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'has a host name that does not resolve', retry: 'connect' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has a self-signed certificate (set upstream.tls.insecureSkipVerify only if you trust it)', retry: 'connect' },
  SELF_SIGNED_CERT_IN_CHAIN: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has a certificate chain ending in an untrusted root', retry: 'connect' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has a certificate that cannot be verified', retry: 'connect' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has a certificate whose issuer is unknown', retry: 'connect' },
  CERT_HAS_EXPIRED: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has an expired certificate', retry: 'connect' },
  ERR_TLS_CERT_ALTNAME_INVALID: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'tls', says: 'has a certificate for another host name', retry: 'connect' },
  ECONNRESET: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'reset the connection', retry: 'reset' },
  EPIPE: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'closed the connection', retry: 'reset' },
  UND_ERR_SOCKET: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'closed the connection before answering', retry: 'reset' },
  UND_ERR_CLOSED: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'closed the connection before answering' },
  UND_ERR_CONNECT_TIMEOUT: { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', reason: 'timeout', says: 'did not accept the connection in time', retry: 'connect' },
  UND_ERR_HEADERS_TIMEOUT: { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', reason: 'timeout', says: 'did not send response headers in time' },
  UND_ERR_BODY_TIMEOUT: { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', reason: 'timeout', says: 'stalled while sending the response body' },
  ETIMEDOUT: { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', reason: 'timeout', says: 'timed out' },
  HPE_INVALID_CONSTANT: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent a response that is not valid HTTP' },
  HPE_INVALID_STATUS: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent an invalid status line' },
  HPE_HEADER_OVERFLOW: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent oversized response headers' },
  UND_ERR_HEADERS_OVERFLOW: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent oversized response headers' },
  RAMP_UPSTREAM_BAD_STATUS: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent an invalid status code (outside 100-599)' },
  // undici's parser errors carry no code, only this name and the parser's message.
  HTTPParserError: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent a response that is not valid HTTP' },
  // HTTP/2 backends (src/proxy/h2-call.ts). A refused stream was not processed (RFC 9113 8.7).
  RAMP_H2_REFUSED_STREAM: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'refused the stream', retry: 'connect' },
  ERR_HTTP2_GOAWAY_SESSION: { code: 'RAMP_ERR_UPSTREAM_CONNECT', reason: 'connect', says: 'was going away', retry: 'connect' },
  RAMP_H2_STREAM_RESET: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'reset the stream', retry: 'reset' },
  ERR_HTTP2_STREAM_ERROR: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'reset the stream' },
  ERR_HTTP2_SESSION_ERROR: { code: 'RAMP_ERR_UPSTREAM_RESET', reason: 'reset', says: 'closed the connection with an error' },
  ERR_HTTP2_ERROR: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'broke the HTTP/2 protocol' },
  RAMP_GRPC_DEADLINE: { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', reason: 'timeout', says: 'did not finish the call within its grpc-timeout' },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'sent a body whose length differs from its content-length' },
}

const fallback: Mapping = { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', reason: 'bad_response', says: 'failed' }

/** Finds the most specific known code along the `cause` chain. */
function rootCode(err: unknown): string | undefined {
  let found: string | undefined
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown }
    if (typeof code === 'string' && byCode[code] !== undefined) found = code
    else if (name === 'HTTPParserError') found = name
  }
  return found
}

/** How a try failed, for a retry: undefined when the failure must not be retried. */
export function tryFailureOf(err: unknown): TryFailure | undefined {
  const code = rootCode(err)
  return code === undefined ? undefined : byCode[code]?.retry
}

/** Whether a failure came from the upstream side (a code of the map above) rather than from ramp. */
export function isUpstreamFailure(err: unknown): boolean {
  return rootCode(err) !== undefined
}

export function upstreamError(err: unknown, version: string, backend: string): { error: RampError; reason: UpstreamReason } {
  const code = rootCode(err)
  const m = code === undefined ? fallback : byCode[code] ?? fallback
  const detail = code ?? ((err as { code?: string }).code ?? (err as Error).message)
  return {
    error: rampError(m.code, `version ${version}: backend ${backend} ${m.says} (${detail})`, { cause: err, details: { version, backend } }),
    reason: m.reason,
  }
}

export function noBackendError(version: string): { error: RampError; reason: UpstreamReason } {
  return { error: rampError('RAMP_ERR_UPSTREAM_NO_BACKEND', `version ${version} has no backend to serve this request`, { details: { version } }), reason: 'no_backend' }
}

/** A response whose status no HTTP client can take (undici passes 600-999 on): ended as a bad response. */
export function badStatusError(status: number): Error {
  return Object.assign(new Error(`status code ${status}`), { code: 'RAMP_UPSTREAM_BAD_STATUS' })
}
