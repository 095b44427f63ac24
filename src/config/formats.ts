import type { Ajv } from 'ajv'
import { backendUrlProblem, httpUrlProblem } from './backend-url.js'

/** The custom `format`s of ramp's schemas, for every Ajv that checks them (config loader, admin API). */
export function addRampFormats(ajv: Ajv): Ajv {
  return ajv
    .addFormat('backend-url', (v: string) => backendUrlProblem(v) === undefined)
    .addFormat('http-url', (v: string) => httpUrlProblem(v) === undefined)
}
