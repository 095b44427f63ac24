import { Type } from '@sinclair/typebox'
import { Duration } from './duration-schema.js'

/**
 * Traffic shaping in a config: overrides, match rules, stickiness, balance and mirroring.
 * Conditions accept ramp's own form and the fields of Argo Rollouts' header and mirror
 * routes (`headerName`/`headerValue`, `method: { exact }`, `path: { prefix }`, `headers: {}`),
 * so a step copied from a Rollout works as it is.
 */
const strict = { additionalProperties: false } as const

export const StringMatchSchema = Type.Object({
  exact: Type.Optional(Type.String()),
  prefix: Type.Optional(Type.String()),
  regex: Type.Optional(Type.String()),
}, { ...strict, description: 'exactly one of exact, prefix, regex' })

export const ConditionSchema = Type.Object({
  headerName: Type.Optional(Type.String({ minLength: 1 })),
  headerValue: Type.Optional(StringMatchSchema),
  queryName: Type.Optional(Type.String({ minLength: 1 })),
  queryValue: Type.Optional(StringMatchSchema),
  pathPrefix: Type.Optional(Type.String({ pattern: '^/' })),
  path: Type.Optional(Type.Object({ prefix: Type.String({ pattern: '^/' }) }, { ...strict, description: 'Argo form: { prefix: /api }' })),
  method: Type.Optional(Type.Union([
    Type.String({ minLength: 1 }),
    Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    Type.Object({ exact: Type.String({ minLength: 1 }) }, strict),
  ], { description: 'GET, [GET, HEAD], or Argo\'s { exact: GET }' })),
  headers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), StringMatchSchema, { description: 'Argo form: header name -> match' })),
}, strict)

export const MatchSchema = Type.Array(ConditionSchema, { description: 'conditions, all of which must hold' })

export const RouteSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  match: Type.Array(ConditionSchema, { minItems: 1 }),
  version: Type.String({ minLength: 1, default: 'canary', description: 'a version name, or canary / stable' }),
}, strict)

export const OverridesSchema = Type.Object({
  header: Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], { default: 'x-ramp-version', description: 'header pinning a request to a version (name, always, never); false turns it off' }),
  cookie: Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], { default: 'ramp_version', description: 'cookie doing the same; false turns it off' }),
}, { ...strict, default: {} })

export const StickinessSchema = Type.Object({
  cookie: Type.Optional(Type.String({ minLength: 1 })),
  header: Type.Optional(Type.String({ minLength: 1 })),
  clientAddress: Type.Optional(Type.Literal(true)),
  maxAge: Type.Union([Duration], { default: '30d', description: 'cookie form: Max-Age of the bucket cookie' }),
  secure: Type.Boolean({ default: false, description: 'cookie form: mark the cookie Secure' }),
}, { ...strict, description: 'exactly one of cookie, header, clientAddress' })

export const MirrorSchema = Type.Object({
  name: Type.String({ minLength: 1, default: 'mirror' }),
  percentage: Type.Number({ minimum: 0, maximum: 100, default: 100 }),
  match: Type.Array(ConditionSchema, { default: [] }),
}, strict)

export const SetHeaderRouteStep = Type.Object({
  name: Type.String({ minLength: 1 }),
  match: Type.Optional(Type.Array(ConditionSchema, { minItems: 1 })),
}, strict)

export const SetMirrorRouteStep = Type.Object({
  name: Type.String({ minLength: 1 }),
  percentage: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  match: Type.Optional(Type.Array(ConditionSchema)),
}, strict)

export const ShapingLimitsSchema = Type.Object({
  mirrorBodyBytes: Type.Integer({ minimum: 0, default: 1024 * 1024, description: 'larger bodies are not mirrored (and counted)' }),
  mirrorsInFlight: Type.Integer({ minimum: 1, default: 100, description: 'mirrors beyond this are shed, not queued' }),
  regexInputChars: Type.Integer({ minimum: 1, default: 1024, description: 'regexes see at most this much of a header or parameter' }),
}, { ...strict, default: {} })
