import { Type, type Static } from '@sinclair/typebox'
import type { HistoryEntry, RolloutState } from '../rollout/types.js'

/**
 * The shape of a stored state, checked on load so that a file of the right envelope but the
 * wrong content stops start-up with a message instead of crashing later or serving from
 * nonsense. The two type checks at the bottom fail to compile when this schema and the
 * engine's types drift apart.
 */
const L = <T extends string>(value: T) => Type.Literal(value)
const Phase = Type.Union([L('Healthy'), L('Progressing'), L('Paused'), L('Aborted'), L('Degraded')])
const Reason = Type.Union([
  L('NoRollout'), L('Promoted'), L('StaticSplit'), L('WaitingForReadiness'), L('CanaryPauseStep'), L('TimedPause'), L('ManualPause'),
  L('ManualWeight'), L('BlueGreenPause'), L('ScaleDownDelay'), L('AbortedByAdmin'), L('ProgressDeadlineExceeded'), L('Superseded'),
  L('ProgressDeadlineDegraded'), L('StableUnavailable'), L('RunningAnalysis'), L('InconclusiveAnalysis'), L('AnalysisFailed'), L('PreRolloutChecks'),
  L('WaitingForConfirmation'), L('WaitingForPromotionConfirmation'), L('PrePromotionAnalysis'), L('PostPromotionAnalysis'),
])
const Time = Type.Integer({ minimum: 0 })
const Version = Type.Object({ name: Type.String({ minLength: 1 }), backends: Type.Array(Type.String({ minLength: 1 })) })
const StringMatch = Type.Union([
  Type.Object({ exact: Type.String() }, { additionalProperties: false }),
  Type.Object({ prefix: Type.String() }, { additionalProperties: false }),
  Type.Object({ regex: Type.String() }, { additionalProperties: false }),
])
const Condition = Type.Object({
  headerName: Type.Optional(Type.String({ minLength: 1 })),
  headerValue: Type.Optional(StringMatch),
  queryName: Type.Optional(Type.String({ minLength: 1 })),
  queryValue: Type.Optional(StringMatch),
  pathPrefix: Type.Optional(Type.String()),
  method: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
}, { additionalProperties: false })
const Percentage = Type.Number({ minimum: 0, maximum: 100 })
const RouteName = Type.String({ minLength: 1 })
const Route = Type.Object({
  name: RouteName,
  match: Type.Array(Condition),
  target: Type.Union([
    Type.Object({ version: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object({ role: Type.Union([L('canary'), L('stable')]) }, { additionalProperties: false }),
  ]),
})
const Mirror = Type.Object({ name: RouteName, percentage: Percentage, match: Type.Array(Condition) })
const Step = Type.Union([
  Type.Object({ setWeight: Type.Number({ minimum: 0, maximum: 100 }) }, { additionalProperties: false }),
  Type.Object({ pause: Type.Object({ durationMs: Type.Optional(Time) }, { additionalProperties: false }) }, { additionalProperties: false }),
  Type.Object({
    analysis: Type.Object({ templates: Type.Array(Type.String({ minLength: 1 })), onFailure: Type.Union([L('abort'), L('pause')]) }, { additionalProperties: false }),
  }, { additionalProperties: false }),
  Type.Object({
    setHeaderRoute: Type.Object({ name: RouteName, match: Type.Optional(Type.Array(Condition)) }, { additionalProperties: false }),
  }, { additionalProperties: false }),
  Type.Object({
    setMirrorRoute: Type.Object({ name: RouteName, percentage: Type.Optional(Percentage), match: Type.Optional(Type.Array(Condition)) }, { additionalProperties: false }),
  }, { additionalProperties: false }),
])
const Templates = Type.Array(Type.String({ minLength: 1 }))
const Strategy = Type.Union([
  Type.Object({
    type: Type.Literal('canary'),
    steps: Type.Array(Step),
    analysis: Type.Optional(Type.Union([Type.Object({ templates: Templates, startingStep: Type.Integer({ minimum: 0 }) }), Type.Null()])),
  }),
  Type.Object({
    type: Type.Literal('blueGreen'),
    autoPromotionEnabled: Type.Boolean(),
    autoPromotionSeconds: Type.Union([Time, Type.Null()]),
    scaleDownDelaySeconds: Time,
    prePromotionAnalysis: Type.Optional(Type.Union([Type.Object({ templates: Templates }), Type.Null()])),
    postPromotionAnalysis: Type.Optional(Type.Union([Type.Object({ templates: Templates }), Type.Null()])),
  }),
])
const AnalysisKind = Type.Union([L('step'), L('background'), L('prePromotion'), L('postPromotion'), L('preRollout'), L('confirmRollout'), L('confirmPromotion')])
const AnalysisRef = Type.Object({
  id: Type.String({ minLength: 1 }),
  kind: AnalysisKind,
  templates: Templates,
  listener: Type.Union([L('main'), L('preview')]),
  startedAt: Time,
})
const Verdict = Type.Object({
  id: Type.String({ minLength: 1 }),
  kind: AnalysisKind,
  result: Type.Union([L('Successful'), L('Failed'), L('Inconclusive')]),
  message: Type.String(),
  at: Time,
})

export const StateSchema = Type.Object({
  revision: Type.Integer({ minimum: 0 }),
  phase: Phase,
  reason: Reason,
  message: Type.String(),
  strategy: Strategy,
  options: Type.Object({
    progressDeadlineSeconds: Type.Integer({ minimum: 1 }),
    progressDeadlineAbort: Type.Boolean(),
    gates: Type.Optional(Type.Object({ preRollout: Type.Boolean(), confirmRollout: Type.Boolean(), confirmPromotion: Type.Boolean() })),
  }),
  stable: Version,
  canary: Type.Union([Version, Type.Null()]),
  previousStable: Type.Union([Version, Type.Null()]),
  stepIndex: Type.Integer({ minimum: -1 }),
  weightBp: Type.Integer({ minimum: 0, maximum: 10_000 }),
  canaryReady: Type.Boolean(),
  pauseUntil: Type.Union([Time, Type.Null()]),
  progressDeadlineAt: Type.Union([Time, Type.Null()]),
  scaleDownAt: Type.Union([Time, Type.Null()]),
  staticSplitBp: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()])),
  attempt: Type.Integer({ minimum: 0 }),
  startedAt: Type.Union([Time, Type.Null()]),
  updatedAt: Time,
  finishedAt: Type.Union([Time, Type.Null()]),
  abort: Type.Union([Type.Object({ reason: Reason, message: Type.String(), actor: Type.String(), at: Time }), Type.Null()]),
  analysisRuns: Type.Optional(Type.Array(AnalysisRef)),
  lastAnalysis: Type.Optional(Type.Union([Verdict, Type.Null()])),
  pendingAnalysis: Type.Optional(Type.Union([Verdict, Type.Null()])),
  routes: Type.Optional(Type.Array(Route)),
  mirror: Type.Optional(Type.Union([Mirror, Type.Null()])),
  unavailable: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  degradedFrom: Type.Optional(Type.Union([Type.Object({ phase: Phase, reason: Reason, message: Type.String() }), Type.Null()])),
})

export const HistorySchema = Type.Array(Type.Object({
  at: Time,
  event: Type.String(),
  actor: Type.String(),
  from: Phase,
  to: Phase,
  detail: Type.String(),
}))

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const stateSchemaMatchesEngine: Same<Static<typeof StateSchema>, RolloutState> = true
export const historySchemaMatchesEngine: Same<Static<typeof HistorySchema>, HistoryEntry[]> = true
