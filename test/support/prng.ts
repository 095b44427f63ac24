/** mulberry32: a tiny seeded PRNG, so statistical tests draw the same numbers every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Bounds for a binomial count: n draws with probability p land within k standard deviations
 * of n*p. With k = 4 a correct implementation fails about once in 16 000 runs; with a fixed
 * seed, never.
 */
export function binomialBounds(n: number, p: number, k = 4): { low: number; high: number; mean: number; sd: number } {
  const mean = n * p
  const sd = Math.sqrt(n * p * (1 - p))
  return { low: Math.floor(mean - k * sd), high: Math.ceil(mean + k * sd), mean, sd }
}
