/**
 * Fixed log-spaced latency buckets, shared by every window slot so that a slot is a plain
 * array of counts and a quantile is a walk over them: no per-request storage.
 *
 * Bucket k (1..140) holds [0.1 × 1.1^(k-1), 0.1 × 1.1^k) ms and reports its geometric middle
 * 0.1 × 1.1^(k-0.5). Anything in the bucket lies within a factor √1.1 of that middle, so a
 * reported quantile is at most √1.1 − 1 = 4.88% off the true one. 140 buckets reach
 * 0.1 × 1.1^140 = 62 370 ms, the first bound past 60 s. Bucket 0 takes everything under
 * 0.1 ms (and NaN or negative durations) and reports 0.1; bucket 141 takes everything from
 * 62 370 ms on and reports 62 370: beyond the ends a quantile is a bound, not an estimate.
 *
 * Worked example, 250 ms: log(250 / 0.1) / log(1.1) = 82.09, so k = 82 + 1 = 83, the bucket
 * [247.86, 272.64) ms, reported as 247.86 × √1.1 = 259.95 ms, 3.98% above 250.
 */
const minMs = 0.1
const growth = 1.1
const finite = Math.ceil(Math.log(60_000 / minMs) / Math.log(growth))
const invLogGrowth = 1 / Math.log(growth)
const halfStep = Math.sqrt(growth)

/** bounds[i] = 0.1 × 1.1^i, the lower edge of bucket i + 1. */
const bounds = Float64Array.from({ length: finite + 1 }, (_, i) => minMs * growth ** i)

export const bucketCount = finite + 2
export const relativeError = halfStep - 1
export const lowestMs = minMs
export const highestMs = bounds[finite] as number

export function bucketIndex(ms: number): number {
  if (!(ms >= minMs)) return 0
  if (ms >= highestMs) return finite + 1
  // The logarithm lands on the right bucket except within rounding of an edge; the
  // precomputed edges then decide, so a value exactly on an edge always goes up.
  let i = Math.min(Math.floor(Math.log(ms / minMs) * invLogGrowth), finite - 1)
  if (ms < (bounds[i] as number)) i -= 1
  else if (ms >= (bounds[i + 1] as number)) i += 1
  return i + 1
}

/** The value a quantile falling in bucket `k` reports, in ms. */
export function bucketValue(k: number): number {
  if (k <= 0) return minMs
  if (k > finite) return highestMs
  return (bounds[k - 1] as number) * halfStep
}

/** [lower, upper) edges of bucket `k` in ms; the end buckets are open. */
export function bucketEdges(k: number): [number, number] {
  if (k <= 0) return [0, minMs]
  if (k > finite) return [highestMs, Infinity]
  return [bounds[k - 1] as number, bounds[k] as number]
}
