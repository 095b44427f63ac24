import { availableParallelism } from 'node:os'
import type { Config } from './load.js'

/** `workers: auto`: one per core this process may use (its CPU affinity included). */
export function workerCount(config: Config): number {
  return config.workers === 'auto' ? availableParallelism() : config.workers
}
