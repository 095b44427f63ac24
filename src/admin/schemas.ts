import { Type, type Static, type TSchema } from '@sinclair/typebox'
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

const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const open = { additionalProperties: true } as const
const Phase = Type.Union(['Healthy', 'Progressing', 'Paused', 'Aborted', 'Degraded'].map((p) => Type.Literal(p)))
const Version = Type.Object({ name: Type.String(), backends: Type.Array(Type.String()) })
const isoTime = nullable(Type.String({ format: 'date-time' }))

const statusFields = {
  phase: Phase,
  reason: Type.String({ description: 'a machine-readable reason (docs/admin-api.md)' }),
  message: Type.String(),
  mode: Type.Union([Type.Literal('canary'), Type.Literal('blueGreen')]),
  weight: Type.Number({ minimum: 0, maximum: 100, description: 'the canary share in the routing table, in percent' }),
  step: Type.Integer({ minimum: -1, description: 'the current canary step; -1 when none' }),
  stable: Version,
  canary: nullable(Version),
  panic: Type.Boolean(),
  fleet: Type.Optional(Type.Object({
    instance: Type.String({ description: 'this instance' }),
    leader: nullable(Type.String({ description: 'the instance that holds the lease and runs the rollout\'s clock' })),
    store: Type.Object({ description: Type.String(), connected: Type.Boolean(), error: nullable(Type.String()) }),
    instances: Type.Array(Type.Object({
      name: Type.String(), address: Type.String({ description: 'its admin API' }), lastSeen: Type.String({ format: 'date-time' }), leader: Type.Boolean(),
      gone: Type.Boolean({ description: 'not heard from for 5 s' }),
    })),
  }, { description: 'present when the state is shared through Redis (a fleet)' })),
}

export const StatusResponse = Type.Object(statusFields, { additionalProperties: false })

const rolloutFields = {
  ...statusFields,
  revision: Type.Integer(),
  desiredWeight: Type.Number({ minimum: 0, maximum: 100 }),
  allowed: Type.Array(Type.String(), { description: 'the verbs that apply in this phase' }),
  strategy: Type.Object({ type: Type.String() }, open),
  steps: Type.Array(Type.Object({ index: Type.Integer(), step: Type.Object({}, open), current: Type.Boolean(), done: Type.Boolean() })),
  stepCount: Type.Integer(),
  canaryReady: Type.Boolean(),
  previousStable: nullable(Version),
  pauseUntil: isoTime,
  progressDeadlineAt: isoTime,
  scaleDownAt: isoTime,
  analysis: Type.Object({}, open),
  routing: Type.Object({}, open),
  health: Type.Object({}, open),
  startedAt: isoTime,
  updatedAt: isoTime,
  finishedAt: isoTime,
  stateVsConfig: Type.Array(Type.Object({ field: Type.String(), config: Type.String(), state: Type.String() }), { description: 'where the state resumed at start differs from the config; the state won (empty once the rollout changes)' }),
}

export const RolloutResponse = Type.Object(rolloutFields, open)

export const StartResponse = Type.Object({
  ...rolloutFields,
  ignored: Type.Optional(Type.Array(Type.String(), { description: 'fields of the strategy dropped because they only mean something in Kubernetes, each with why (as a config\'s are)' })),
}, open)

export const HistoryResponse = Type.Object({
  events: Type.Array(Type.Object({
    at: Type.String({ format: 'date-time' }),
    event: Type.String(),
    actor: Type.String(),
    from: Phase,
    to: Phase,
    detail: Type.String(),
  }, open), { description: 'oldest first' }),
})

export const HealthResponse = Type.Object({ status: Type.Literal('ok') })
export const ReadyResponse = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]) })
export const TextResponse = Type.String()

const Figures = Type.Object({
  requests: Type.Integer({ minimum: 0 }),
  share: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  errorRate: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  p50: nullable(Type.Number({ minimum: 0, description: 'ms' })),
  p99: nullable(Type.Number({ minimum: 0, description: 'ms' })),
})

export const TrafficResponse = Type.Object({
  now: Type.Integer(),
  from: Type.Integer({ description: 'epoch ms of the first second' }),
  to: Type.Integer({ description: 'epoch ms after the last whole second' }),
  seconds: Type.Array(Type.Object({
    at: Type.Integer(),
    weight: nullable(Type.Number({ minimum: 0, maximum: 100 })),
    listeners: Type.Record(Type.String(), Type.Record(Type.String(), Figures), { description: 'listener -> version -> figures' }),
  })),
})
