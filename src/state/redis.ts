import { Redis } from 'ioredis'
import { rampError, type RampError } from '../errors.js'
import { decodeDoc, encodeDoc, STATE_FORMAT } from './format.js'
import { validators } from './validator.js'
import { revisionConflict, type SaveOptions, type StateStore, type StoredDoc } from './store.js'

/** A command Redis has not answered in this long fails (a stopped server never closes the socket). */
export const commandTimeoutMs = 1000

export interface RedisTarget {
  url: string
  key: string
  /** Used when the URL carries none (RAMP_REDIS_PASSWORD). */
  password?: string | undefined
}

/** The keys of one rollout: the document, and what the fleet keeps beside it. */
export function keysOf(key: string) {
  return {
    doc: key,
    leader: `${key}:leader`,
    fence: `${key}:fence`,
    instances: `${key}:instances`,
    rows: (instance: string) => `${key}:rows:${instance}`,
    changes: `${key}:changes`,
  }
}

/** "redis://127.0.0.1:6379/0", without a password the URL may hold. */
export function redisDescription(t: RedisTarget): string {
  const u = new URL(t.url)
  return `redis ${u.protocol === 'rediss:' ? 'rediss://' : ''}${u.host}${u.pathname === '/' ? '' : u.pathname} key ${t.key}`
}

/**
 * One connection to Redis. Commands never queue while it is down and never wait longer
 * than commandTimeoutMs: ramp serves its last table meanwhile and a write answers 503 at
 * once. It reconnects by itself.
 */
export function connectRedis(t: RedisTarget, name: string): Redis {
  const url = new URL(t.url)
  return new Redis(t.url, {
    lazyConnect: true,
    connectionName: name,
    ...(url.password === '' && t.password !== undefined ? { password: t.password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
  })
}

// The compare-and-set, the format check, the fencing and the notice, in one server-side step.
// KEYS: doc, leader. ARGV: expected revision ('' = none stored), new revision, format, text, fence ('' = none), channel.
const saveScript = `
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'none' and t ~= 'hash' then return {'wrongtype', t} end
local cur = redis.call('HMGET', KEYS[1], 'revision', 'format')
if t == 'hash' and not cur[1] then return {'foreign', ''} end
if cur[2] and tonumber(cur[2]) > tonumber(ARGV[3]) then return {'newer', cur[2]} end
local rev = ''
if cur[1] then rev = cur[1] end
if rev ~= ARGV[1] then return {'conflict', rev} end
if ARGV[5] ~= '' then
  local lease = redis.call('GET', KEYS[2])
  if not lease or string.match(lease, '^%d+') ~= ARGV[5] then return {'fenced', lease or ''} end
end
redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'format', ARGV[3], 'doc', ARGV[4])
redis.call('PUBLISH', ARGV[6], ARGV[2])
return {'ok', ''}
`

// The type and the document in one step. KEYS: doc.
const loadScript = `
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'hash' then return {t} end
return {t, redis.call('HGET', KEYS[1], 'doc')}
`

export interface RedisStore extends StateStore {
  readonly redis: Redis
  readonly keys: ReturnType<typeof keysOf>
  /** The stored revision alone (a cheap check that nothing was missed); null when nothing is stored. */
  revision(): Promise<number | null>
}

/**
 * The rollout state as one Redis hash (`revision`, `format`, `doc`), changed only by the
 * compare-and-set script above, which also publishes the new revision on `<key>:changes`.
 */
export function createRedisStore(t: RedisTarget, redis: Redis): RedisStore {
  const description = redisDescription(t)
  const keys = keysOf(t.key)
  let valid: ReturnType<typeof validators> | null = null
  const unavailable = (err: unknown): RampError => rampError('RAMP_ERR_STATE_UNAVAILABLE',
    `${description}: ${(err as Error).message}; every instance keeps serving its last routing table, and changes are refused until Redis answers`, { cause: err })
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      throw unavailable(err)
    }
  }
  const notOurs = (what: string): RampError => rampError('RAMP_ERR_STATE_CORRUPT',
    `${description}: the key ${t.key} holds ${what}, not a ramp state; ramp leaves it untouched. Point state.key at another key, or delete this one if nothing else uses it`)

  return {
    description,
    redis,
    keys,
    async load() {
      const [type, text] = await call(() => redis.eval(loadScript, 1, keys.doc) as Promise<[string, string | null | undefined]>)
      if (type === 'none') return null
      if (type !== 'hash') throw notOurs(`a ${type}`)
      if (typeof text !== 'string') throw notOurs('a hash without a "doc" field')
      // Compiled once: a fleet instance reads the state at every change, not only at start.
      valid ??= validators()
      const decoded = decodeDoc(text, valid)
      if (!decoded.ok) {
        throw rampError('RAMP_ERR_STATE_CORRUPT', `${description}: the stored rollout state cannot be used: ${decoded.problem}; ramp leaves it untouched`, { details: { key: t.key } })
      }
      return decoded.doc
    },
    async save(doc: StoredDoc, expectedRevision: number | null, opts: SaveOptions = {}) {
      const args = [expectedRevision === null ? '' : String(expectedRevision), String(doc.state.revision), String(STATE_FORMAT), encodeDoc(doc), opts.fence === undefined ? '' : String(opts.fence), keys.changes]
      const [outcome, found] = await call(() => redis.eval(saveScript, 2, keys.doc, keys.leader, ...args) as Promise<[string, string]>)
      switch (outcome) {
        case 'ok': return
        case 'conflict': throw revisionConflict(description, 'the store holds', expectedRevision, found === '' ? null : Number(found))
        case 'wrongtype': throw notOurs(`a ${found}`)
        case 'foreign': throw notOurs('a hash without a "revision" field')
        case 'newer': throw rampError('RAMP_ERR_STATE_CORRUPT', `${description}: the stored state has format ${found}, written by a newer ramp (this one writes format ${STATE_FORMAT}); ramp will not overwrite it. Run the newer ramp on every instance`)
        case 'fenced': throw rampError('RAMP_ERR_STATE_CONFLICT', `${description}: this instance no longer holds the lease (${found === '' ? 'nobody holds it' : `now ${found}`}); the new leader carries on`, { details: { fenced: true } })
        default: throw unavailable(new Error(`unexpected answer ${String(outcome)} from the save script`))
      }
    },
    async revision() {
      const r = await call(() => redis.hget(keys.doc, 'revision'))
      return r === null ? null : Number(r)
    },
    async close() {
      // QUIT is answered after every command already sent; a connection that is down just ends.
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}
