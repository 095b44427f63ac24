import type { ValidateFunction } from 'ajv'
import { compileSet, type ValidatorSet } from '../validation/validator-set.js'
import { ConfigSchema, type RawConfig } from './schema.js'

/** The config's validator, precompiled into dist/ by `npm run build` (see validator-set.ts). */
export const set: ValidatorSet<'config'> = {
  options: { allErrors: true, useDefaults: true, strict: false, verbose: true, multipleOfPrecision: 6 },
  schemas: { config: ConfigSchema },
  // Checked at every start: only the parts a config has are compiled (hoist.ts).
  hoistBytes: 1000,
}

/** The names `validators()` answers for, without compiling anything. */
export const names = Object.keys(set.schemas) as ReadonlyArray<'config'>

/**
 * From the sources, compiled at each call and not kept: the validator of the whole schema is
 * ~10 MiB of heap while it is compiled, for a check made once per (re)load.
 */
export function validators(): { config: ValidateFunction<RawConfig> } {
  return compileSet(set) as { config: ValidateFunction<RawConfig> }
}
