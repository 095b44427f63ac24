import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Redis } from 'ioredis'
import type { Logger } from '../../log.js'
import type { Metrics } from '../../metrics/registry.js'
import { isShared } from '../../state/factory.js'
import type { RedisStore } from '../../state/redis.js'
import type { StateStore } from '../../state/store.js'
import { Lease } from './lease.js'
import { FleetWindows } from './windows.js'

/** How often an instance says it is alive, shares its rows and checks it missed no change. */
const beatMs = 1000
/** The lease: a dead leader is replaced within this; a live one renews it three times as often. */
export const leaseMs = 3000
/** An instance not heard from for this long is listed as gone; after ten times this, dropped. */
const goneAfterMs = 5000

export interface InstanceView {
  name: string
  /** Its admin API. */
  address: string
  lastSeen: string
  leader: boolean
  /** Not heard from for `goneAfterMs`. */
  gone: boolean
}

export interface FleetView {
  instance: string
  leader: string | null
  store: { description: string; connected: boolean; error: string | null }
  instances: InstanceView[]
}

/** What the fleet needs of the rollout's driver. */
export interface FleetDriver {
  /** The revision in force here (-1 before the store was reached). */
  readonly revision: number
  resync(): Promise<void>
  leadershipChanged(): void
}

interface Announced { name: string; address: string; seenAt: number }

/**
 * One instance's part in a fleet sharing a rollout through Redis: the leader lease, a
 * heartbeat (its name and address, its window rows, a check of the stored revision), and a
 * subscription to the changes other instances publish. Every way it learns of a change ends
 * in one `resync` of the driver, which reads the stored state.
 */
export class Fleet {
  readonly id: string
  readonly name: string
  readonly windows: FleetWindows
  readonly lease: Lease
  private readonly sub: Redis
  private driver: FleetDriver | null = null
  private timer: NodeJS.Timeout | null = null
  private instances: Array<Announced & { id: string }> = []
  private error: string | null = null
  private address = ''
  private stopped = false

  constructor(readonly store: RedisStore, private readonly log: Logger, private readonly metrics: Metrics, name: string | undefined) {
    this.name = name ?? `${hostname()}:${process.pid}`
    // Unique even when two instances are given one name: the lease and the rows go by it.
    this.id = `${this.name}#${randomUUID().slice(0, 8)}`
    this.windows = new FleetWindows(store.redis, store.keys.rows)
    this.lease = new Lease({
      redis: store.redis, leaderKey: store.keys.leader, fenceKey: store.keys.fence, instance: this.id, leaseMs, log,
      gained: () => this.leadershipChanged(), lost: () => this.leadershipChanged(),
    })
    this.sub = store.redis.duplicate()
    for (const [conn, role] of [[store.redis, 'commands'], [this.sub, 'changes']] as const) {
      conn.on('error', (err: Error) => this.failed(err, role))
      conn.on('ready', () => this.reached(role))
    }
    this.sub.on('message', () => { this.resync('a change was published') })
  }

  private leadershipChanged(): void {
    this.metrics.fleetLeader.set({ instance: this.name }, this.lease.leading === null ? 0 : 1)
    this.driver?.leadershipChanged()
  }

  /** Connects; false when Redis cannot be reached now (the connection keeps trying). */
  async connect(): Promise<boolean> {
    // The 'error' event says why (a refused password, a TLS failure); the rejection only that the connection closed.
    const connected = await this.store.redis.connect().then(() => true, (err: unknown) => { if (this.error === null) this.failed(err as Error, 'commands'); return false })
    void this.sub.connect().then(() => this.sub.subscribe(this.store.keys.changes)).catch((err: unknown) => { if (this.error === null) this.failed(err as Error, 'changes') })
    return connected
  }

  /** Starts the lease and the heartbeat; `address` is this instance's admin API, as others will see it. */
  start(driver: FleetDriver, address: string): void {
    this.driver = driver
    this.metrics.fleetLeader.set({ instance: this.name }, 0)
    this.metrics.fleetStoreUp.set({ instance: this.name }, this.error === null ? 1 : 0)
    this.address = address
    this.lease.start()
    const beat = (): void => {
      if (this.stopped) return
      void this.beat().finally(() => { if (!this.stopped) this.timer = setTimeout(beat, beatMs) })
    }
    beat()
  }

  /**
   * The leader's analysis reads fresh sums: its own latest rows are shared and everyone's taken,
   * in one step. Only the rows: each measurement of each builtin metric asks, and a heartbeat
   * (the instance list, the revision check) per ask was work the next beat does anyway.
   */
  async collect(): Promise<void> {
    if (this.store.redis.status !== 'ready') return
    const ids = new Set([this.id, ...this.instances.map((i) => i.id)])
    await this.windows.pull([...ids], this.id).catch((err: unknown) => this.failed(err as Error, 'commands'))
  }

  view(): FleetView {
    const now = Date.now()
    const leader = this.lease.leader
    return {
      instance: this.name,
      leader: leader === null ? null : leader.replace(/#[0-9a-f]+$/, ''),
      store: { description: this.store.description, connected: this.store.redis.status === 'ready', error: this.error },
      instances: this.instances.map((i) => ({
        name: i.name, address: i.address, lastSeen: new Date(i.seenAt).toISOString(), leader: i.id === leader, gone: now - i.seenAt > goneAfterMs,
      })),
    }
  }

  async close(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    await this.lease.stop()
    await this.store.redis.hdel(this.store.keys.instances, this.id).catch(() => undefined)
    this.sub.disconnect()
  }

  private async beat(): Promise<void> {
    const { redis, keys } = this.store
    if (redis.status !== 'ready') return
    const p = redis.pipeline()
    p.hset(keys.instances, this.id, JSON.stringify({ name: this.name, address: this.address, seenAt: Date.now() } satisfies Announced))
    const rows = this.windows.push(p, this.id)
    p.hgetall(keys.instances).hget(keys.doc, 'revision')
    try {
      const r = await p.exec()
      if (r === null) throw new Error('the heartbeat was aborted')
      const failed = r.find(([err]) => err !== null)
      if (failed !== undefined) throw failed[0] as Error
      rows.sent(true)
      if (this.error !== null) this.reached('commands')
      const all = r[r.length - 2]?.[1] as Record<string, string>
      const revision = r[r.length - 1]?.[1] as string | null
      this.instances = Object.entries(all).flatMap(([id, text]) => {
        try { return [{ id, ...(JSON.parse(text) as Announced) }] } catch { return [] }
      }).sort((a, b) => a.name.localeCompare(b.name))
      if (this.lease.leading !== null) await this.leaderChores()
      if (revision !== null && Number(revision) !== this.driver?.revision) this.resync(`the stored revision is ${revision}`)
    } catch (err) {
      rows.sent(false)
      // A stopped server keeps its socket open: only a command that times out tells.
      this.failed(err as Error, 'commands')
    }
  }

  /** Takes every instance's rows into the sums, and forgets instances long gone. */
  private async leaderChores(): Promise<void> {
    const now = Date.now()
    const dead = this.instances.filter((i) => now - i.seenAt > 10 * goneAfterMs).map((i) => i.id)
    if (dead.length > 0) await this.store.redis.hdel(this.store.keys.instances, ...dead)
    await this.windows.pull(this.instances.map((i) => i.id))
  }

  private resync(why: string): void {
    this.driver?.resync().catch((err: unknown) => this.log.warn({ err }, `fleet: could not read the stored state (${why}): ${(err as Error).message}`))
  }

  private failed(err: Error, role: string): void {
    const message = `${this.store.description}: ${err.message}`
    this.metrics.fleetStoreUp.set({ instance: this.name }, 0)
    if (this.error !== message) this.log.warn({ err, fleet: { connection: role } }, `fleet: Redis unreachable (${message}); serving the last routing table, changes are refused until it answers`)
    this.error = message
  }

  private reached(role: string): void {
    if (this.error !== null) this.log.info({ fleet: { connection: role } }, `fleet: ${this.store.description} reachable again`)
    this.error = null
    this.metrics.fleetStoreUp.set({ instance: this.name }, 1)
    // Whatever was published while the connection was down is read now.
    this.resync('Redis was reached')
  }
}

/** This instance's part in a fleet when its store is shared, else null. */
export function fleetOf(store: StateStore, log: Logger, metrics: Metrics, name: string | undefined): Fleet | null {
  return isShared(store) ? new Fleet(store, log, metrics, name) : null
}
