import { FULL_BP } from './weight.js'

/**
 * Smooth weighted round robin (nginx's `ngx_http_upstream_get_peer`) over two versions, so a
 * weight is met exactly instead of in expectation.
 *
 * nginx keeps a current weight per peer. Each pick adds every peer's weight to its current
 * weight, picks the peer with the largest current weight (the first listed on a tie; stable
 * is listed first), and takes the total (10 000) off the one picked. Worked example, canary
 * 2000 and stable 8000 (weight 20):
 *
 *     pick | canary + 2000 | stable + 8000 | picked | after - 10000
 *     -----+---------------+---------------+--------+--------------------
 *       1  |        2000   |        8000   | stable | (2000, -2000)
 *       2  |        4000   |        6000   | stable | (4000, -4000)
 *       3  |        6000   |        4000   | canary | (-4000, 4000)
 *       4  |       -2000   |       12000   | stable | (-2000, 2000)
 *       5  |           0   |       10000   | stable | (0, 0)
 *
 * After 5 picks the state is back to (0, 0), so the sequence S S C S S repeats for ever and
 * every window of 5 consecutive picks (hence of 100) holds exactly 1 (20) canary picks. In
 * general the state returns to zero after N = 10000 / gcd(weightBp, 10000) picks with exactly
 * weightBp / gcd on the canary; a periodic sequence's windows of one period are rotations of
 * it, so every window of N consecutive picks is exact. 12.5% (1250 bp) is 1 in 8; 33.33% has
 * N = 10000. (test/routing/swrr.test.ts mirrors the table row by row.)
 *
 * With two peers the current weights always sum to 0 after a pick (both weights are added,
 * the total is taken off once), so one number is enough: stable's current weight is minus the
 * canary's, and "canary + weightBp > stable + (10000 - weightBp)" after adding becomes
 * `2 * c > 10000` with c the canary's. That is the whole of `pickCanary`.
 *
 * The count is per instance: one per process and routing table, as the architecture says
 * ("exact over every window of N requests, per process"); only the requests the weight
 * decides take a pick, so overrides, routes and sticky users do not shift the split.
 */
export class ExactSplit {
  readonly weightBp: number
  private current = 0

  constructor(weightBp: number) {
    if (!Number.isInteger(weightBp) || weightBp < 0 || weightBp > FULL_BP) {
      throw new RangeError(`weightBp must be an integer 0..${FULL_BP}, got ${weightBp}`)
    }
    this.weightBp = weightBp
  }

  /** The number of picks after which the split repeats, and over every window of which it is exact. */
  get period(): number {
    return splitPeriod(this.weightBp)
  }

  pickCanary(): boolean {
    this.current += this.weightBp
    if (2 * this.current > FULL_BP) {
      this.current -= FULL_BP
      return true
    }
    return false
  }
}

export function splitPeriod(weightBp: number): number {
  return FULL_BP / gcd(weightBp, FULL_BP)
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}
