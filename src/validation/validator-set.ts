import { Ajv, type Options, type ValidateFunction } from 'ajv'
import { addRampFormats } from '../config/formats.js'
import { hoistSubschemas } from './hoist.js'

/**
 * A set of validators made from one set of Ajv options: the config's, the stored state's,
 * the admin API's bodies. From the sources (tests, `npm run bench`) a set is compiled when it
 * is first asked for; `npm run build` precompiles each into dist/ instead
 * (scripts/build-validators.ts), so that ramp compiles no schema and loads neither Ajv nor
 * TypeBox when it starts: compiling the config's alone took ~200 ms of a ~1 s start.
 */
export interface ValidatorSet<Names extends string> {
  options: Options
  schemas: Record<Names, object>
  /** Subschemas this large or larger are compiled into functions of their own (hoist.ts). */
  hoistBytes?: number
}

/** The schemas as the set compiles them, here and in the build. */
export function schemasOf<Names extends string>(set: ValidatorSet<Names>): Record<Names, object> {
  const hoist = set.hoistBytes
  if (hoist === undefined) return set.schemas
  return Object.fromEntries(Object.entries(set.schemas).map(([name, schema]) => [name, hoistSubschemas(schema as Record<string, unknown>, hoist)])) as Record<Names, object>
}

export function compileSet<Names extends string>(set: ValidatorSet<Names>): Record<Names, ValidateFunction> {
  const ajv = addRampFormats(new Ajv(set.options))
  const schemas = schemasOf(set)
  const out = {} as Record<Names, ValidateFunction>
  for (const name of Object.keys(schemas) as Names[]) out[name] = ajv.compile(schemas[name])
  return out
}
