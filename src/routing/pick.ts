import type { VersionPool } from '../pool/pool.js'
import type { Random } from '../pool/p2c.js'
import { FULL_BP } from './weight.js'
import type { RoutingTable } from './table.js'

export type Listener = 'main' | 'preview'

/**
 * Picks the version of one request. The main listener draws per request: the canary wins
 * when a uniform draw over 10000 basis points falls below the weight, so weight 20 (2000 bp)
 * sends a request to the canary with probability 2000/10000, weight 0 never and 100 always.
 * In blueGreen mode the weight is 0 or 10000, so the same rule sends everything one way.
 * The preview listener always reaches the canary, or stable when there is none.
 */
export function pickVersion(table: RoutingTable, listener: Listener, random: Random = Math.random): VersionPool {
  const canary = table.canary
  if (canary === null) return table.stable
  if (listener === 'preview') return canary
  const bp = table.weightBp
  if (bp <= 0) return table.stable
  if (bp >= FULL_BP) return canary
  return random() * FULL_BP < bp ? canary : table.stable
}
