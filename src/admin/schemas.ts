import { Type, type Static } from '@sinclair/typebox'
import { StrategySchema, VersionSchema } from '../config/schema.js'

const strict = { additionalProperties: false } as const

export const WeightBody = Type.Object({
  weight: Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01, description: 'canary share in percent, up to two decimals' }),
}, strict)
export type WeightBody = Static<typeof WeightBody>

export const StartBody = Type.Object({
  version: VersionSchema,
  strategy: Type.Optional(StrategySchema),
  supersede: Type.Optional(Type.Boolean({ description: 'abort the rollout in progress and start this one' })),
}, strict)
export type StartBody = Static<typeof StartBody>

export const PromoteBody = Type.Object({
  full: Type.Optional(Type.Boolean({ description: 'skip the remaining steps and finish now' })),
}, strict)
export type PromoteBody = Static<typeof PromoteBody>

export const AbortBody = Type.Object({
  message: Type.Optional(Type.String({ maxLength: 500, description: 'why, kept in the history' })),
}, strict)
export type AbortBody = Static<typeof AbortBody>

export const EmptyBody = Type.Object({}, strict)

export const ErrorResponse = Type.Object({
  error: Type.String({ description: 'a RAMP_ERR_* code (docs/errors.md)' }),
  message: Type.String(),
  hint: Type.String(),
}, { additionalProperties: true })

export const ReloadResponse = Type.Object({
  source: Type.String({ description: 'the configuration file that was read' }),
  changed: Type.Array(Type.String(), { description: 'fields applied, by path (stable.backends, routes, upstream.headersTimeoutMs)' }),
  needsRestart: Type.Array(Type.String(), { description: 'fields that differ but keep their running value until ramp restarts' }),
  notApplied: Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: 'fields a reload does not apply (the rollout\'s), with what to use instead' }),
  warnings: Type.Array(Type.String()),
})
