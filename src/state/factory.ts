import type { Config } from '../config/load.js'
import { createFileStore } from './file.js'
import { createMemoryStore } from './memory.js'
import type { RedisStore } from './redis.js'
import type { StateStore } from './store.js'

/** The `state:` block of the configuration, with `path` already absolute. */
export interface StoreSpec {
  store: 'file' | 'memory' | 'redis'
  path: string
  url?: string | undefined
  key?: string | undefined
  /** RAMP_REDIS_PASSWORD, used when the URL carries none. */
  password?: string | undefined
}

/** Redis's client is loaded only for a redis store: a ramp on a file never pays its start-up. */
export async function createStore(spec: StoreSpec): Promise<StateStore> {
  switch (spec.store) {
    case 'file':
      return createFileStore(spec.path)
    case 'memory':
      return createMemoryStore()
    case 'redis': {
      const { connectRedis, createRedisStore } = await import('./redis.js')
      const target = { url: spec.url ?? '', key: spec.key ?? 'ramp', password: spec.password }
      return createRedisStore(target, connectRedis(target, 'ramp'))
    }
  }
}

/** The store the config's `state:` block names; a Redis password may come from RAMP_REDIS_PASSWORD. */
export function storeFromConfig(config: Config, env: NodeJS.ProcessEnv): Promise<StateStore> {
  const { store, url, key } = config.state
  return createStore({ store, path: config.statePath, url, key: key ?? config.name, password: env.RAMP_REDIS_PASSWORD })
}

export function isShared(store: StateStore): store is RedisStore {
  return 'redis' in store
}
