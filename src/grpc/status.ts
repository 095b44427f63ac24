/**
 * gRPC status codes (grpc/grpc doc/statuscodes.md), by number: a call's outcome is its
 * `grpc-status`, not its HTTP status, which is 200 for failed calls too. Below every layer:
 * the proxy reads it, analysis and ejection judge it, metrics label it, the config names it.
 */
export const grpcCodes = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const
export type GrpcCodeName = (typeof grpcCodes)[number]

export const GRPC_OK = 0
export const GRPC_CANCELLED = 1
export const GRPC_UNKNOWN = 2
export const GRPC_UNIMPLEMENTED = 12

/**
 * The codes that say the server failed, as an HTTP 5xx does; the others say the call was
 * refused for the caller's reasons (a bad argument, a missing entity, no permission) and
 * are a correct answer of a healthy service.
 */
export const defaultGrpcErrorCodes: readonly GrpcCodeName[] = ['UNKNOWN', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS']

/** `names` as a table indexed by code number: true for a code that counts as a failure. */
export function grpcFailureTable(names: readonly string[]): readonly boolean[] {
  return grpcCodes.map((n) => names.includes(n))
}

/**
 * A gRPC request: `application/grpc`, `application/grpc+proto` or with parameters. gRPC-Web
 * (`application/grpc-web*`) is another protocol and is not one.
 */
export function isGrpcContentType(ct: string | undefined): boolean {
  if (ct === undefined || !ct.startsWith('application/grpc')) return false
  const next = ct.charCodeAt(16)
  return Number.isNaN(next) || next === 43 /* + */ || next === 59 /* ; */
}

/** A `grpc-status` value as a code; what is not a known code number is UNKNOWN, as clients read it. */
export function grpcStatusOf(value: string): number {
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 && n < grpcCodes.length && value !== '' ? n : GRPC_UNKNOWN
}

/**
 * The code a gRPC client reports for a response without `grpc-status` (grpc/grpc
 * doc/http-grpc-status-mapping.md): what an intermediary's HTTP error means to it. A 200
 * that ends with no status is UNKNOWN.
 */
export function grpcCodeOfHttp(status: number): number {
  switch (status) {
    case 400: return 13 // INTERNAL
    case 401: return 16 // UNAUTHENTICATED
    case 403: return 7 // PERMISSION_DENIED
    case 404: return GRPC_UNIMPLEMENTED
    case 429: case 502: case 503: case 504: return 14 // UNAVAILABLE
    default: return GRPC_UNKNOWN
  }
}

/** The `grpc-message` form of a text: UTF-8, percent-encoded outside printable ASCII and for `%` (gRPC's PROTOCOL-HTTP2). */
export function grpcMessage(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  return out
}
