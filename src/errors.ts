import { grpcCodeOfHttp, grpcCodes, type GrpcCodeName } from './grpc/status.js'

/**
 * Every error ramp raises on purpose has a code from this registry. The code fixes the HTTP
 * status (mapped here and nowhere else) and a hint saying what to do about it; the message at
 * the raise site names the bad value. docs/errors.md lists the same table, and a test keeps
 * the two in sync.
 */
const registry = {
  RAMP_ERR_CONFIG_INVALID: { status: 400, hint: 'fix the listed fields; `ramp validate FILE` checks a file without starting' },
  RAMP_ERR_CONFIG_READ: { status: 400, hint: 'check that the file exists, is readable and is YAML or JSON' },
  RAMP_ERR_TLS_FILE: { status: 400, hint: 'check that the files named by tls.cert and tls.key exist and are readable by ramp (paths are relative to the config file)' },
  RAMP_ERR_TLS_INVALID: { status: 400, hint: 'give a PEM certificate chain and the PEM private key that belongs to it; `openssl x509 -in CERT -noout -text` shows what a file holds' },
  RAMP_ERR_ADMIN_BAD_REQUEST: { status: 400, hint: 'fix the named field of the request; GET /api/v1/openapi.json describes every body' },
  RAMP_ERR_ADMIN_UNAUTHORIZED: { status: 401, hint: 'send `Authorization: Bearer <token>` with the admin token (admin.token or RAMP_ADMIN_TOKEN)' },
  RAMP_ERR_ADMIN_NOT_FOUND: { status: 404, hint: 'GET /api/v1/openapi.json lists the admin API' },
  RAMP_ERR_ADMIN_METHOD_NOT_ALLOWED: { status: 405, hint: 'use one of the methods in the Allow header' },
  RAMP_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE: { status: 415, hint: 'send the body as JSON with `content-type: application/json`' },
  RAMP_ERR_ADMIN_BODY_TOO_LARGE: { status: 413, hint: 'admin bodies are small JSON documents; send less than 1 MiB' },
  RAMP_ERR_ADMIN_STREAMS_FULL: { status: 503, hint: 'close an event stream you no longer read, or raise admin.maxEventStreams' },
  RAMP_ERR_ADMIN_DASHBOARD_MISSING: { status: 503, hint: 'the dashboard\'s files are built into dist/ui/ by `npm run build`; build, or install the package whole' },
  RAMP_ERR_ADMIN_INSECURE: { status: 500, hint: 'set admin.token (or RAMP_ADMIN_TOKEN), or bind the admin listener to a loopback address' },
  RAMP_ERR_WEIGHT_INVALID: { status: 400, hint: 'send a weight from 0 to 100 with at most two decimals, e.g. {"weight": 35.5}' },
  RAMP_ERR_WEIGHT_MODE: { status: 409, hint: 'in blueGreen mode the weight is 0 (stable active) or 100 (canary active)' },
  RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED: { status: 409, hint: 'use one of the verbs allowed in the current phase (listed in `allowed`)' },
  RAMP_ERR_ROLLOUT_IN_PROGRESS: { status: 409, hint: 'finish or abort the current rollout first, or send "supersede": true' },
  RAMP_ERR_ROLLOUT_NO_CANARY: { status: 409, hint: 'start a rollout first: POST /api/v1/rollout or `ramp deploy`' },
  RAMP_ERR_ROLLOUT_UNKNOWN_VERSION: { status: 409, hint: 'name the stable version or the canary of the current rollout (GET /api/v1/status)' },
  RAMP_ERR_RELOAD_NO_SOURCE: { status: 409, hint: 'this ramp runs a configuration that came from no file (ramp demo); restart it to change the configuration' },
  RAMP_ERR_DRAINING: { status: 503, hint: 'ramp is draining to stop; send the call to the instance that replaces it' },
  RAMP_ERR_STATE_CORRUPT: { status: 500, hint: 'inspect the state file, or start with `ramp serve --reset-state` to move it aside' },
  RAMP_ERR_STATE_CONFLICT: { status: 409, hint: 'another writer changed the state first; read it again and retry' },
  RAMP_ERR_STATE_UNAVAILABLE: { status: 503, hint: 'check that the state store (state.path or the shared store) is reachable and writable' },
  RAMP_ERR_UPSTREAM_CONNECT: { status: 502, hint: 'the backend refused or could not be reached; check that it is running' },
  RAMP_ERR_UPSTREAM_RESET: { status: 502, hint: 'the backend closed the connection before answering; check its logs' },
  RAMP_ERR_UPSTREAM_TIMEOUT: { status: 504, grpc: 'DEADLINE_EXCEEDED', hint: 'the backend did not answer in time; raise upstream.*TimeoutMs or fix the backend' },
  RAMP_ERR_UPSTREAM_BAD_RESPONSE: { status: 502, grpc: 'INTERNAL', hint: 'the backend sent a response that is not valid HTTP' },
  RAMP_ERR_UPSTREAM_NO_BACKEND: { status: 503, hint: 'the version has no backend to serve; add backends or check their health' },
  RAMP_ERR_LISTENER_CLOSING: { status: 503, hint: 'ramp is shutting down; connect again to another instance or once it has restarted' },
  RAMP_ERR_CLIENT_BAD_REQUEST: { status: 400, hint: 'send valid HTTP/1.1: one Host, one Content-Length or Transfer-Encoding: chunked (never both), well-formed headers and chunks' },
  RAMP_ERR_CLIENT_HEADERS_TOO_LARGE: { status: 431, grpc: 'RESOURCE_EXHAUSTED', hint: 'send a smaller request line and headers (fewer or shorter cookies), or raise clients.maxHeaderBytes' },
  RAMP_ERR_CLIENT_TIMEOUT: { status: 408, hint: 'send the request head within clients.headersTimeoutMs and the whole request within clients.requestTimeoutMs' },
  RAMP_ERR_CLIENT_EXPECTATION: { status: 417, hint: 'send no Expect header, or Expect: 100-continue, the only expectation HTTP defines' },
  RAMP_ERR_CLIENT_CONNECT: { status: 405, hint: 'ramp is a reverse proxy and opens no CONNECT tunnels; send the request to the service itself' },
  RAMP_ERR_INTERNAL: { status: 500, grpc: 'INTERNAL', hint: 'this is a bug in ramp; please report it with the log line' },
} as const satisfies Record<string, { status: number; hint: string; grpc?: GrpcCodeName }>

export type RampErrorCode = keyof typeof registry

export const errorRegistry: Readonly<Record<RampErrorCode, { status: number; hint: string }>> = registry

export class RampError extends Error {
  readonly code: RampErrorCode
  readonly statusCode: number
  readonly hint: string
  /** Extra machine-readable fields sent with the error body (e.g. `problems`, `allowed`). */
  readonly details: Record<string, unknown> | undefined

  constructor(code: RampErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RampError'
    this.code = code
    this.statusCode = registry[code].status
    this.hint = registry[code].hint
    this.details = options.details
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, hint: this.hint, ...this.details }
  }
}

export function rampError(code: RampErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }): RampError {
  return new RampError(code, message, options)
}

/**
 * The gRPC status ramp answers a gRPC call with for `err`: the code a gRPC client would read
 * from the HTTP status (503 and 502 are UNAVAILABLE), unless the registry names a closer one
 * (a timeout is DEADLINE_EXCEEDED).
 */
export function grpcCodeOf(err: RampError): number {
  const named = (registry[err.code] as { grpc?: GrpcCodeName }).grpc
  return named === undefined ? grpcCodeOfHttp(err.statusCode) : grpcCodes.indexOf(named)
}

export function isRampError(err: unknown): err is RampError {
  return err instanceof RampError
}

const shownChars = 64

/**
 * A value as a message shows it: as JSON, cut to a short prefix. A refusal names what it
 * refused, but never sends back a megabyte that a client sent.
 */
export function quote(value: unknown): string {
  return clip(JSON.stringify(value) ?? String(value))
}

/** Text from a client (a path, a header) cut to a short prefix, with its length. */
export function clip(text: string): string {
  return text.length <= shownChars ? text : `${text.slice(0, shownChars)}… (${text.length} characters)`
}
