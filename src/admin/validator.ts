import type { ValidateFunction } from 'ajv'
import { compileSet, type ValidatorSet } from '../validation/validator-set.js'
import { AbortBody, EmptyBody, PromoteBody, StartBody, WeightBody } from './schemas.js'

export type BodyName = 'AbortBody' | 'EmptyBody' | 'PromoteBody' | 'StartBody' | 'WeightBody'

/**
 * The request bodies the admin API checks, by their export name in schemas.ts, with the
 * options its fastify used to give Ajv; precompiled into dist/ by `npm run build` (see
 * validator-set.ts).
 */
export const set: ValidatorSet<BodyName> = {
  options: { allErrors: true, verbose: true, multipleOfPrecision: 6, removeAdditional: false, coerceTypes: false, useDefaults: true, strict: false },
  schemas: { AbortBody, EmptyBody, PromoteBody, StartBody, WeightBody },
}

/** The names `validators()` answers for, without compiling anything. */
export const names: readonly BodyName[] = Object.keys(set.schemas) as BodyName[]

let compiled: Record<BodyName, ValidateFunction> | null = null

/** From the sources, compiled at the first admin call that has a body, then kept. */
export function validators(): Record<BodyName, ValidateFunction> {
  return (compiled ??= compileSet(set))
}
