/**
 * The wait before retry number `retry` (1 before the second try): full jitter under an
 * exponential ceiling, `random() * min(maxMs, baseMs * 2^(retry-1))`, so that clients that
 * failed together do not come back together. With baseMs 25 and maxMs 250:
 *
 *   retry 1 -> [0, 25)   retry 2 -> [0, 50)   retry 3 -> [0, 100)   retry 4 -> [0, 200)
 *   retry 5 and later -> [0, 250)
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  return random() * Math.min(maxMs, baseMs * 2 ** (retry - 1))
}
