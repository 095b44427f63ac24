import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { parse, stringify } from 'yaml'
import type { RedisServer } from '../redis.js'
import assert from 'node:assert/strict'
import { eventually } from './eventually.js'
import { world, type World } from './world.js'

export interface FleetOptions {
  /** The config every instance runs, as `release` writes it; the fleet adds `state`. */
  config: string
  /** Instances, named i1, i2...; 3 unless given. */
  count?: number
  /** The rollout's key in Redis; a fresh one unless given. */
  key?: string
  /** Every instance's environment (RAMP_REDIS_PASSWORD...). */
  env?: NodeJS.ProcessEnv
}

/**
 * Instances of one rollout sharing `redis`, each a ramp process (a world of its own: its
 * listeners, admin API, logs), started together as a fleet's would be.
 */
export async function fleet(t: TestContext, redis: RedisServer, opts: FleetOptions): Promise<World[]> {
  const key = opts.key ?? `fleet-${randomUUID()}`
  const names = Array.from({ length: opts.count ?? 3 }, (_, i) => `i${i + 1}`)
  return Promise.all(names.map((instance) => world(t, { process: true, config: fleetConfig(opts.config, redis.url, key, instance), ...(opts.env === undefined ? {} : { env: opts.env }) })))
}

export function fleetConfig(config: string, url: string, key: string, instance: string): string {
  const tree = parse(config) as Record<string, unknown>
  tree.state = { store: 'redis', url, key, instance }
  return stringify(tree)
}

/** `eventually` (10 s at most), failing also when it took longer than `ms`; returns the ms it took. */
export async function within<T>(what: string, ms: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<number> {
  const started = performance.now()
  await eventually(what, read, ok, 10_000)
  const took = performance.now() - started
  assert.ok(took <= ms, `${what} took ${took.toFixed(0)} ms (at most ${ms})`)
  return took
}

/**
 * How many ms after `from` each of `others` put `weight` in its routing table, by ramp's own
 * clock (one host) as each one's routing log line says: polling over HTTP would add the
 * polls' own latency, which a loaded machine makes longer than the lag itself.
 */
export function weightLags(from: World, others: World[], weight: number): number[] {
  const appliedAt = (i: World): number => i.logs().find((l) => (l.routing as { weight?: number } | undefined)?.weight === weight)?.time ?? Number.NaN
  return others.map((i) => appliedAt(i) - appliedAt(from))
}

/** The instance that leads, as the first one's status names it (instances are i1, i2...). */
export async function leaderOf(instances: World[]): Promise<World> {
  const s = await instances[0]?.admin.status()
  const name = s?.fleet?.leader
  const i = Number(/^i(\d+)$/.exec(name ?? '')?.[1])
  const leader = instances[i - 1]
  if (leader === undefined) assert.fail(`no leader named in ${JSON.stringify(s?.fleet)}`)
  return leader
}
