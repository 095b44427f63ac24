/**
 * A server's `grpc-retry-pushback-ms` among an answer's raw fields (gRPC's retry design, A6):
 * a non-negative integer is how long to wait before the retry; anything else says not to
 * retry at all (null). undefined when the server said nothing.
 */
export function grpcPushbackMs(raw: readonly unknown[]): number | null | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() !== 'grpc-retry-pushback-ms') continue
    const value = String(raw[i + 1])
    return /^[0-9]{1,9}$/.test(value) ? Number(value) : null
  }
  return undefined
}
