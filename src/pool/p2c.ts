import type { Backend } from './backend.js'
import type { VersionPool } from './pool.js'

export type Random = () => number

/**
 * Least in-flight of two random choices (P2C): nearly as good as scanning every backend for
 * the least loaded, at constant cost, and without the herd that "always the least loaded"
 * causes when many requests arrive at once. With two backends both are always compared.
 * Ties alternate by round robin so an idle pool still spreads its load. `exclude` is the
 * backend a retry must not go back to; with nothing else in the pool there is no pick.
 */
export function pickBackend(pool: VersionPool, random: Random = Math.random, exclude?: Backend): Backend | undefined {
  const list = exclude === undefined ? pool.backends : pool.backends.filter((b) => b !== exclude)
  const n = list.length
  if (n === 0) return undefined
  if (n === 1) return list[0]
  let a: Backend
  let b: Backend
  if (n === 2) {
    a = list[0] as Backend
    b = list[1] as Backend
  } else {
    const i = Math.floor(random() * n)
    let j = Math.floor(random() * (n - 1))
    if (j >= i) j++
    a = list[i] as Backend
    b = list[j] as Backend
  }
  if (a.inflight !== b.inflight) return a.inflight < b.inflight ? a : b
  pool.cursor = (pool.cursor + 1) % 2
  return pool.cursor === 0 ? a : b
}
