import type { Backend } from './backend.js'
import type { VersionPool } from './pool.js'

export type Random = () => number

/**
 * Least in-flight of two random choices (P2C): nearly as good as scanning every backend for
 * the least loaded, at constant cost, and without the herd that "always the least loaded"
 * causes when many requests arrive at once. With two backends both are always compared.
 * Ties alternate by round robin so an idle pool still spreads its load. `exclude` is the
 * backend a retry must not go back to; with nothing else to pick there is no pick.
 *
 * The candidates are the pool's available backends (kept up to date by the health monitor,
 * so nothing is filtered or allocated here). A pool with none picks among all its backends
 * as if they were healthy: it is only asked when no version has an available backend
 * (panic mode, see src/routing/fallback.ts), and then trying beats refusing.
 *
 * A winner that slow-starts (share below 1) keeps the request with probability `share`,
 * else the other choice takes it: its share of picks scales by `share` at the cost of one
 * draw, and only while a backend ramps up.
 */
export function pickBackend(pool: VersionPool, random: Random = Math.random, exclude?: Backend): Backend | undefined {
  const list = pool.available.length > 0 ? pool.available : pool.backends
  const skip = exclude === undefined ? -1 : list.indexOf(exclude)
  const n = skip < 0 ? list.length : list.length - 1
  if (n === 0) return undefined
  if (n === 1) return nth(list, skip, 0)
  let a: Backend
  let b: Backend
  if (n === 2) {
    a = nth(list, skip, 0)
    b = nth(list, skip, 1)
  } else {
    const i = Math.floor(random() * n)
    let j = Math.floor(random() * (n - 1))
    if (j >= i) j++
    a = nth(list, skip, i)
    b = nth(list, skip, j)
  }
  const winner = a.inflight !== b.inflight ? (a.inflight < b.inflight ? a : b) : alternate(pool, a, b)
  const share = winner.health.share
  if (share < 1 && random() >= share) return winner === a ? b : a
  return winner
}

function alternate(pool: VersionPool, a: Backend, b: Backend): Backend {
  pool.cursor = (pool.cursor + 1) % 2
  return pool.cursor === 0 ? a : b
}

/** The k-th candidate of `list` with index `skip` left out (-1: none). */
function nth(list: readonly Backend[], skip: number, k: number): Backend {
  return list[skip >= 0 && k >= skip ? k + 1 : k] as Backend
}
