import { Type } from '@sinclair/typebox'
import { httpUrlPattern } from './backend-url.js'
import { Duration } from './duration-schema.js'

/**
 * The `analysis:` and `webhooks:` blocks of a config, and the analysis references inside a
 * strategy. Metrics name exactly one provider and a threshold range; latencies are in
 * milliseconds, so a bound may be written as a duration ("500ms").
 */
const strict = { additionalProperties: false } as const
const L = <T extends string>(value: T) => Type.Literal(value)

const Bound = Type.Union([Type.Number(), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$' })], { description: 'a number, or a duration for latency metrics (compared in ms)' })

export const builtinMetrics = ['successRate', 'errorRate', 'errorRateDelta', 'latencyP50', 'latencyP90', 'latencyP99', 'latencyP99Ratio', 'requestRate'] as const

const Metric = Type.Object({
  name: Type.String({ minLength: 1 }),
  builtin: Type.Optional(Type.Union(builtinMetrics.map((m) => L(m)), { description: `one of ${builtinMetrics.join(', ')}` })),
  prometheus: Type.Optional(Type.Object({
    address: Type.String({ format: 'uri', pattern: httpUrlPattern, description: 'the Prometheus server, e.g. http://127.0.0.1:9090' }),
    query: Type.String({ minLength: 1, description: 'PromQL giving one number (a scalar or a one-sample vector)' }),
    timeout: Type.Optional(Duration),
  }, strict)),
  web: Type.Optional(Type.Object({
    url: Type.String({ format: 'uri', pattern: httpUrlPattern }),
    method: Type.Optional(Type.Union([L('GET'), L('POST')])),
    jsonPath: Type.Optional(Type.String({ pattern: '^\\$' })),
    timeout: Type.Optional(Duration),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
  }, strict)),
  thresholdRange: Type.Object({ min: Type.Optional(Bound), max: Type.Optional(Bound) }, strict),
}, { ...strict, description: 'exactly one of builtin, prometheus, web' })

export const TemplateSchema = Type.Object({
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  interval: Type.Union([Duration], { default: '10s' }),
  count: Type.Optional(Type.Integer({ minimum: 1, description: 'measurements per metric; omit in background analysis to run until the rollout ends' })),
  initialDelay: Type.Union([Duration], { default: 0 }),
  failureLimit: Type.Integer({ minimum: 0, default: 0 }),
  inconclusiveLimit: Type.Integer({ minimum: 0, default: 0 }),
  consecutiveErrorLimit: Type.Integer({ minimum: 0, default: 4 }),
  minRequests: Type.Integer({ minimum: 0, default: 50, description: 'a builtin window with fewer canary requests is inconclusive, never a pass' }),
  window: Type.Optional(Duration),
  listener: Type.Optional(Type.Union([L('main'), L('preview'), L('mirror')], { description: 'whose traffic builtins judge; default: the main listener (preview for blue/green pre-promotion); mirror judges shadow traffic' })),
  metrics: Type.Array(Metric, { minItems: 1 }),
}, strict)

export const AnalysisSchema = Type.Object({
  templates: Type.Array(TemplateSchema, { default: [] }),
}, { ...strict, default: { templates: [] } })

/** `[canary-health]` or Argo's `[{ templateName: canary-health }]`. */
export const TemplateRefs = Type.Array(Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({ templateName: Type.String({ minLength: 1 }) }, strict),
], { description: 'a template name, or { templateName }' }), { minItems: 1 })

/**
 * Argo's `args`, resolved when the config loads (src/config/analysis-args.ts): the loader's
 * checks never see them, this is for an editor's check of the file as written.
 */
const AnalysisArgs = Type.Optional(Type.Array(Type.Object({
  name: Type.String({ minLength: 1 }),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
}, strict), { description: 'values for the {{args.NAME}} placeholders of the templates named; ramp makes a template of each set of values when the config loads' }))

export const StepAnalysis = Type.Object({
  templates: TemplateRefs,
  args: AnalysisArgs,
  onFailure: Type.Union([L('abort'), L('pause')], { default: 'abort' }),
}, strict)

export const BackgroundAnalysis = Type.Object({
  templates: TemplateRefs,
  args: AnalysisArgs,
  startingStep: Type.Integer({ minimum: 0, default: 0 }),
}, strict)

export const PromotionAnalysis = Type.Object({ templates: TemplateRefs, args: AnalysisArgs }, strict)

export const webhookTypes = ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'rollback', 'event'] as const

export const WebhookSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: Type.Union(webhookTypes.map((w) => L(w)), { description: `one of ${webhookTypes.join(', ')}` }),
  url: Type.String({ format: 'uri', pattern: httpUrlPattern }),
  timeout: Type.Union([Duration], { default: '5s' }),
  interval: Type.Union([Duration], { default: '10s', description: 'how often a gate, a rollout check or a rollback hook is called' }),
  headers: Type.Record(Type.String(), Type.String(), { default: {} }),
  failureLimit: Type.Integer({ minimum: 0, default: 0, description: 'pre-rollout: failures allowed before the rollout aborts' }),
}, strict)
