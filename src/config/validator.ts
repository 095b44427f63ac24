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

let compiled: { config: ValidateFunction<RawConfig> } | null = null

/**
 * From the sources (tests, `npm run bench`), compiled at the first call and kept: compiled
 * at each call, it cost ~120 ms of every config a test parsed. What `ramp serve` runs,
 * dist/'s precompiled code, is compiled for each (re)load and not kept instead, to keep an
 * idle ramp's heap small (scripts/build-validators.ts).
 */
export function validators(): { config: ValidateFunction<RawConfig> } {
  return (compiled ??= compileSet(set) as { config: ValidateFunction<RawConfig> })
}
