import type { ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify'
import * as schemas from './schemas.js'
import { names as bodies, validators, type BodyName } from './validator.js'

/** The body schemas by the objects the routes hand fastify: a route's schema is found by identity. */
const names = new Map<unknown, BodyName>(Object.entries(schemas).map(([name, schema]) => [schema, name as BodyName]))

/**
 * The admin API's validator compiler: each route's body is checked by its validator of
 * validator.ts (precompiled in dist/), found when the route's first request arrives, so
 * neither starting ramp nor fastify's `ready` compiles a schema or loads Ajv. A body schema
 * missing from that set fails the route's registration, at start, rather than going
 * unchecked.
 */
export const bodyValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, method, url, httpPart }) => {
  const name = names.get(schema)
  if (httpPart !== 'body' || name === undefined || !bodies.includes(name)) {
    throw new Error(`${method} ${url}: its ${httpPart ?? 'schema'} is not one of the admin API's precompiled bodies (src/admin/validator.ts)`)
  }
  let validate: ValidateFunction | null = null
  const check = (data: unknown): boolean => {
    validate ??= validators()[name]
    const ok = validate(data)
    check.errors = validate.errors
    return ok
  }
  check.errors = null as ValidateFunction['errors']
  return check
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>

/**
 * The admin server's `schemaController.compilersFactory`: fastify's own compilers (Ajv,
 * fast-json-stringify) are never loaded. Bodies are checked as above; responses are
 * JSON.stringify'd, since their schemas are there for the OpenAPI document and a serializer
 * compiled for each costs megabytes of heap for an API that answers a few calls a minute.
 * fastify types the factories as Ajv's and fast-json-stringify's; it calls them with a route
 * and uses what they return as a function of the data, which these are.
 */
export const adminCompilers = {
  buildValidator: () => bodyValidatorCompiler,
  buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
} as unknown as CompilersFactory
