import { readFileSync } from 'node:fs'
import { loadConfigFile, parseConfig } from '../../../src/config/load.js'
import type { Logger } from '../../../src/log.js'
import { startRamp, type Ramp, type RampOptions } from '../../../src/ramp.js'
import type { StateStore } from '../../../src/state/store.js'

export interface InProcess {
  /** The config file; a reload re-reads it. */
  path: string
  /** Parse the file's text as a config with no file behind it, as the demo's embedded one (nothing to reload). */
  embedded: boolean
  store: StateStore
  log: Logger
  env: NodeJS.ProcessEnv
  clock?: RampOptions['clock']
  random?: () => number
}

/**
 * ramp in this process, as `src/ramp.ts` starts it, without Node process metrics (tests
 * start many). The store is given, so a restart can hand the same one to the next ramp.
 */
export function startInProcess(s: InProcess): Promise<Ramp> {
  const config = s.embedded ? parseConfig(readFileSync(s.path, 'utf8'), null, s.env) : loadConfigFile(s.path, s.env)
  return startRamp(config, {
    log: s.log, store: s.store, processMetrics: false, env: s.env,
    ...(s.clock === undefined ? {} : { clock: s.clock }),
    ...(s.random === undefined ? {} : { random: s.random }),
  })
}
