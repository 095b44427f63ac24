import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { parse, stringify } from 'yaml'
import type { RedisServer } from '../redis.js'
import { world, type World } from './world.js'

export interface FleetOptions {
  /** The config every instance runs, as `release` writes it; the fleet adds `state`. */
  config: string
  /** Instances, named i1, i2...; 3 unless given. */
  count?: number
  /** The rollout's key in Redis; a fresh one unless given. */
  key?: string
}

/**
 * Instances of one rollout sharing `redis`, each a ramp process (a world of its own: its
 * listeners, admin API, logs), started together as a fleet's would be.
 */
export async function fleet(t: TestContext, redis: RedisServer, opts: FleetOptions): Promise<World[]> {
  const key = opts.key ?? `fleet-${randomUUID()}`
  const names = Array.from({ length: opts.count ?? 3 }, (_, i) => `i${i + 1}`)
  return Promise.all(names.map((instance) => world(t, { process: true, config: fleetConfig(opts.config, redis.url, key, instance) })))
}

export function fleetConfig(config: string, url: string, key: string, instance: string): string {
  const tree = parse(config) as Record<string, unknown>
  tree.state = { store: 'redis', url, key, instance }
  return stringify(tree)
}
