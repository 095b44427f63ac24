/**
 * A server's `grpc-retry-pushback-ms` (gRPC's retry design, A6): a non-negative integer is
 * how long to wait before the retry; anything else says not to retry at all (null).
 * undefined when the server said nothing.
 */
export function grpcPushbackMs(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined
  return /^[0-9]{1,9}$/.test(value) ? Number(value) : null
}
