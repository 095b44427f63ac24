import type { Ajv } from 'ajv'
import { backendUrlProblem, httpUrlProblem } from './backend-url.js'

/**
 * The custom `format`s of ramp's schemas, by name. A validator precompiled at build time
 * (scripts/build-validators.ts) refers to them through this object, so it is exported as is.
 */
export const rampFormats: Record<string, (value: string) => boolean> = {
  'backend-url': (v) => backendUrlProblem(v) === undefined,
  'http-url': (v) => httpUrlProblem(v) === undefined,
}

/** Adds the custom formats to an Ajv that checks ramp's schemas (config loader, admin API). */
export function addRampFormats(ajv: Ajv): Ajv {
  for (const [name, check] of Object.entries(rampFormats)) ajv.addFormat(name, check)
  return ajv
}
