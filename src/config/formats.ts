import type { Ajv } from 'ajv'
import { urlProblem } from './backend-url.js'

/**
 * ramp's check of the standard `uri` format: an http(s) or h2c URL that parses (every URL of
 * ramp's schemas is one; their patterns narrow it, and say so to clients). A validator precompiled at build time
 * (scripts/build-validators.ts) refers to it through this object, so it is exported as is.
 */
export const rampFormats: Record<string, (value: string) => boolean> = {
  uri: (v) => urlProblem(v) === undefined,
}

/** Adds the custom formats to an Ajv that checks ramp's schemas (config loader, admin API). */
export function addRampFormats(ajv: Ajv): Ajv {
  for (const [name, check] of Object.entries(rampFormats)) ajv.addFormat(name, check)
  return ajv
}
