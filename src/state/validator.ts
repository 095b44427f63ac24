import type { ValidateFunction } from 'ajv'
import { compileSet, type ValidatorSet } from '../validation/validator-set.js'
import { HistorySchema, StateSchema } from './schema.js'

/** The stored state's validators, precompiled into dist/ by `npm run build` (see validator-set.ts). */
export const set: ValidatorSet<'state' | 'history'> = {
  options: { allErrors: true, strict: false, verbose: true },
  schemas: { state: StateSchema, history: HistorySchema },
}

/** The names `validators()` answers for, without compiling anything. */
export const names = Object.keys(set.schemas) as ReadonlyArray<'state' | 'history'>

let compiled: Record<'state' | 'history', ValidateFunction> | null = null

/**
 * From the sources (tests), compiled at the first call and kept, as the config's is
 * (config/validator.ts); dist/'s is compiled for each call: a stored document is read once, at start.
 */
export function validators(): Record<'state' | 'history', ValidateFunction> {
  return (compiled ??= compileSet(set))
}
