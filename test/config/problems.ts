import { parseConfig } from '../../src/config/load.js'
import { isRampError } from '../../src/errors.js'

/** The problem lines the loader refuses a config with; none for a config it accepts. */
export function problems(yaml: string, env: NodeJS.ProcessEnv = {}, source = 'x.yaml'): string[] {
  try {
    parseConfig(yaml, source, env)
  } catch (err) {
    if (isRampError(err) && err.code === 'RAMP_ERR_CONFIG_INVALID') return err.details?.problems as string[]
    throw err
  }
  return []
}
