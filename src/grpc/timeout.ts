const unitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 }

/**
 * A `grpc-timeout` value (gRPC's PROTOCOL-HTTP2: up to 8 digits and a unit, "250m", "5S") in
 * milliseconds, rounded up so that a deadline under a millisecond still expires; null when the
 * value is not one, and the call then has no deadline of its own.
 */
export function grpcTimeoutMs(value: string): number | null {
  const n = value.length
  if (n < 2 || n > 9) return null
  const unit = unitMs[value[n - 1] as string]
  const digits = value.slice(0, -1)
  if (unit === undefined || !/^[0-9]+$/.test(digits)) return null
  return Math.ceil(Number(digits) * unit)
}
