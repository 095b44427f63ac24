import type { Redis } from 'ioredis'
import type { Logger } from '../../log.js'

export interface LeaseOptions {
  redis: Redis
  /** `<key>:leader`, holding "<token> <instance>" while someone leads. */
  leaderKey: string
  /** `<key>:fence`, the counter the tokens come from: each new leader's is higher than every earlier one's. */
  fenceKey: string
  instance: string
  leaseMs: number
  log: Logger
  /** This instance now leads, with `token` to fence its writes. */
  gained: (token: number) => void
  /** It no longer does (another took the lease, or it could not renew in time). */
  lost: () => void
}

// Take the lease when free, renew it when ours, else say who holds it. KEYS: leader, fence. ARGV: instance, ms.
const acquireScript = `
local cur = redis.call('GET', KEYS[1])
if not cur then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
  return {token, 1}
end
local token, holder = string.match(cur, '^(%d+) (.*)$')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {tonumber(token), 1}
end
return {tonumber(token) or 0, 0, cur}
`
const releaseScript = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`

/**
 * The fleet's leader lease (one instance runs the rollout's clock). Tried every third of the
 * lease: taken when free, renewed while held. A leader that has not renewed for a whole lease
 * steps down by itself before anyone else can take it over, and every write it makes carries
 * its token, which Redis checks against the lease, so a leader that stalls past its lease can
 * never overwrite the next leader's state.
 */
export class Lease {
  private token: number | null = null
  /** Ends this instance's lead when the lease it last renewed runs out unrenewed. */
  private expiry: NodeJS.Timeout | null = null
  private holder: string | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(private readonly o: LeaseOptions) {}

  /** Who leads as last seen ("<token> <instance>"), this instance's name when it does. */
  get leader(): string | null {
    return this.token !== null ? this.o.instance : this.holder
  }

  get leading(): number | null {
    return this.token
  }

  start(): void {
    const every = Math.max(50, Math.floor(this.o.leaseMs / 3))
    const beat = (): void => {
      if (this.stopped) return
      void this.tryOnce().finally(() => { if (!this.stopped) this.timer = setTimeout(beat, every) })
    }
    beat()
  }

  async tryOnce(): Promise<void> {
    const started = Date.now()
    try {
      const [token, ours, cur] = await this.o.redis.eval(acquireScript, 2, this.o.leaderKey, this.o.fenceKey, this.o.instance, String(this.o.leaseMs)) as [number, number, string | undefined]
      if (this.stopped) return
      if (ours === 1) {
        // Measured from before the call: Redis's own expiry can only be later.
        if (this.expiry !== null) clearTimeout(this.expiry)
        this.expiry = setTimeout(() => { this.stepDown(`the lease could not be renewed within ${this.o.leaseMs} ms`) }, this.o.leaseMs - (Date.now() - started))
        this.holder = null
        if (this.token !== token) {
          this.token = token
          this.o.log.info({ fleet: { leader: this.o.instance, token } }, `fleet: this instance (${this.o.instance}) leads, token ${token}`)
          this.o.gained(token)
        }
        return
      }
      this.holder = cur?.replace(/^\d+ /, '') ?? null
      this.stepDown(`${this.holder ?? 'another instance'} holds the lease`)
    } catch (err) {
      // Not renewed: still the leader only while the last renewal's lease runs (`expiry`).
      this.o.log.debug({ err }, `fleet: lease not renewed: ${(err as Error).message}`)
    }
  }

  /** Stops renewing; a held lease is given back so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    if (this.expiry !== null) clearTimeout(this.expiry)
    const token = this.token
    this.token = null
    if (token === null) return
    await this.o.redis.eval(releaseScript, 1, this.o.leaderKey, `${token} ${this.o.instance}`).catch(() => undefined)
  }

  private stepDown(why: string): void {
    if (this.expiry !== null) clearTimeout(this.expiry)
    this.expiry = null
    if (this.token === null) return
    this.token = null
    this.o.log.warn({ fleet: { instance: this.o.instance } }, `fleet: this instance no longer leads: ${why}`)
    this.o.lost()
  }
}
