import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { AnalysisSchema, BackgroundAnalysis, PromotionAnalysis, StepAnalysis, WebhookSchema } from './analysis-schema.js'
import { backendOriginPattern } from './backend-url.js'
import { Duration } from './duration-schema.js'
import { GrpcProbeSchema, GrpcSchema } from './grpc-schema.js'
import { ClientLimitsSchema, HealthCheckSchema, ListenerTlsSchema, OutlierSchema, RetrySchema } from './resilience-schema.js'
import { MirrorSchema, OverridesSchema, RouteSchema, SetHeaderRouteStep, SetMirrorRouteStep, ShapingLimitsSchema, StickinessSchema } from './shaping-schema.js'

/**
 * The one schema of a ramp configuration file. config/schema.json is generated from it
 * (`npm run schema`) and a test keeps the two equal. Rules a JSON Schema cannot say well
 * (URLs, two decimals, distinct names, one key per step) live in semantic.ts, so that every
 * problem still comes out as one line with its path.
 */

const strict = { additionalProperties: false } as const

const Listener = Type.Object({
  host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address to bind' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port; 0 picks a free one' }),
  tls: Type.Optional(ListenerTlsSchema),
  http2: Type.Boolean({ default: false, description: 'with tls: also serve HTTP/2 (negotiated by ALPN); without: serve HTTP/2 with prior knowledge (h2c, what gRPC clients speak) and no HTTP/1.1' }),
}, strict)

const Admin = Type.Object({
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 9191 }),
  token: Type.Optional(Type.String({ minLength: 1, description: 'bearer token for mutating calls, and for every call but /healthz and /readyz when host is not a loopback address; RAMP_ADMIN_TOKEN overrides' })),
  metricsToken: Type.Optional(Type.String({ minLength: 1, description: 'a second bearer token that reads /metrics only (a scraper\'s)' })),
  metricsPublic: Type.Boolean({ default: false, description: '/metrics answers without a token even when host is not a loopback address' }),
  maxEventStreams: Type.Integer({ minimum: 1, maximum: 10000, default: 32, description: 'event streams (GET /api/v1/events) open at once; one more is refused with 503' }),
  tls: Type.Optional(ListenerTlsSchema),
}, strict)

export const VersionSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'version name, used in metrics labels and x-ramp-version' }),
  backends: Type.Array(Type.String({ format: 'uri', pattern: backendOriginPattern }), { minItems: 1, description: 'http(s)://host:port origins, or h2c://host:port for HTTP/2 without TLS (gRPC)' }),
}, strict)

const CanaryStep = Type.Object({
  setWeight: Type.Optional(Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01 })),
  pause: Type.Optional(Type.Object({ duration: Type.Optional(Duration) }, strict)),
  analysis: Type.Optional(StepAnalysis),
  setHeaderRoute: Type.Optional(SetHeaderRouteStep),
  setMirrorRoute: Type.Optional(SetMirrorRouteStep),
}, { ...strict, description: 'one of setWeight, pause, analysis, setHeaderRoute, setMirrorRoute; a step with several (Argo allows it) runs as one step each, in Argo\'s order' })

const CanaryStrategy = Type.Object({
  steps: Type.Array(CanaryStep, { default: [] }),
  analysis: Type.Optional(BackgroundAnalysis),
}, strict)

const BlueGreenStrategy = Type.Object({
  autoPromotionEnabled: Type.Boolean({ default: true }),
  autoPromotionSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  scaleDownDelaySeconds: Type.Integer({ minimum: 0, default: 30 }),
  prePromotionAnalysis: Type.Optional(PromotionAnalysis),
  postPromotionAnalysis: Type.Optional(PromotionAnalysis),
}, strict)

export const StrategySchema = Type.Object({
  canary: Type.Optional(CanaryStrategy),
  blueGreen: Type.Optional(BlueGreenStrategy),
}, { ...strict, description: 'exactly one of canary, blueGreen' })

const Upstream = Type.Object({
  connectTimeoutMs: Type.Integer({ minimum: 1, default: 5000 }),
  headersTimeoutMs: Type.Integer({ minimum: 1, default: 30000, description: 'time to the response headers' }),
  bodyTimeoutMs: Type.Integer({ minimum: 1, default: 30000, description: 'longest silence while the response body streams' }),
  keepAliveTimeoutMs: Type.Integer({ minimum: 1, default: 4000, description: 'idle upstream sockets are closed after this; keep it below the backends\' own idle timeout' }),
  connectionsPerBackend: Type.Integer({ minimum: 1, default: 256 }),
  tls: Type.Object({
    insecureSkipVerify: Type.Boolean({ default: false }),
  }, { ...strict, default: {} }),
}, { ...strict, default: {} })

const Log = Type.Object({
  level: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'),
    Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
  ], { default: 'info' }),
  access: Type.Union([Type.Boolean(), Type.Number({ minimum: 0, maximum: 1 })], { default: false, description: 'per-request access log: false, true, or a sampling ratio such as 0.01' }),
  format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], { default: 'auto', description: 'auto: pretty on a terminal, JSON otherwise' }),
}, { ...strict, default: {} })

const State = Type.Object({
  store: Type.Union([Type.Literal('file'), Type.Literal('memory'), Type.Literal('redis')], { default: 'file', description: 'file: one process; memory: lost at exit; redis: a fleet of instances sharing one rollout' }),
  path: Type.String({ minLength: 1, default: 'ramp-state.json', description: 'state file, relative to the config file' }),
  url: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'store: redis; redis://[:password@]host:port/db or rediss:// for TLS (the password may also come from RAMP_REDIS_PASSWORD)' })),
  key: Type.Optional(Type.String({ minLength: 1, pattern: '^[^\\s]+$', description: 'store: redis; the key of the rollout\'s state (default: the config\'s name); instances with the same key share one rollout' })),
  instance: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'store: redis; this instance\'s name in status (default: host name and process id)' })),
}, { ...strict, default: {} })

const Readiness = Type.Object({
  enabled: Type.Boolean({ default: true, description: 'false treats a new version as ready at once' }),
  path: Type.String({ pattern: '^/', default: '/healthz' }),
  grpc: Type.Optional(GrpcProbeSchema),
  timeoutMs: Type.Integer({ minimum: 1, default: 2000 }),
  intervalMs: Type.Integer({ minimum: 10, default: 1000 }),
}, { ...strict, default: {} })

export const ConfigSchema = Type.Object({
  name: Type.String({ minLength: 1, default: 'ramp', description: 'the name of this rollout, sent to webhooks' }),
  listen: Listener,
  preview: Type.Optional(Listener),
  admin: Type.Object(Admin.properties, { ...strict, default: {} }),
  stable: VersionSchema,
  canary: Type.Optional(VersionSchema),
  weight: Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01, default: 0, description: 'canary share of main-listener traffic, up to two decimals' }),
  mode: Type.Optional(Type.Union([Type.Literal('canary'), Type.Literal('blueGreen')], { description: 'canary (weighted) or blueGreen (whole-pool flip); taken from strategy when omitted' })),
  preserveHost: Type.Boolean({ default: true, description: 'send the client\'s Host upstream (false sends the backend\'s)' }),
  versionHeader: Type.Object({
    name: Type.String({ minLength: 1, default: 'x-ramp-version' }),
    response: Type.Boolean({ default: false, description: 'also return the serving version to the client' }),
  }, { ...strict, default: {} }),
  upstream: Upstream,
  log: Log,
  state: State,
  strategy: Type.Optional(StrategySchema),
  progressDeadlineSeconds: Type.Integer({ minimum: 1, default: 600 }),
  progressDeadlineAbort: Type.Boolean({ default: true }),
  readiness: Readiness,
  analysis: AnalysisSchema,
  webhooks: Type.Array(WebhookSchema, { default: [] }),
  overrides: OverridesSchema,
  routes: Type.Array(RouteSchema, { default: [], description: 'static match rules; first match wins' }),
  stickiness: Type.Optional(StickinessSchema),
  balance: Type.Union([Type.Literal('random'), Type.Literal('exact')], { default: 'random', description: 'random: a draw per request; exact: smooth weighted round robin, exact over every window of its period' }),
  mirror: Type.Optional(MirrorSchema),
  limits: ShapingLimitsSchema,
  healthCheck: HealthCheckSchema,
  outlier: OutlierSchema,
  retry: RetrySchema,
  grpc: GrpcSchema,
  clients: ClientLimitsSchema,
  drainTimeoutMs: Type.Integer({ minimum: 0, default: 30000, description: 'on SIGTERM/SIGINT, how long in-flight requests may take to finish before ramp exits' }),
  workers: Type.Union([Type.Integer({ minimum: 1, maximum: 1024 }), Type.Literal('auto')], { default: 1, description: 'data-plane processes: 1 serves in one process; N > 1 runs a primary (the rollout, the admin API) and N workers on the shared listening sockets; auto: one per core the process may use' }),
}, { ...strict, $id: 'https://ramp.dev/schema/config.json', title: 'ramp configuration' })

export type RawConfig = Static<typeof ConfigSchema>
export type VersionSpec = Static<typeof VersionSchema>
export type ListenerSpec = Static<typeof Listener>
export type AdminSpec = Static<typeof Admin>
export type CanaryStepSpec = Static<typeof CanaryStep>
export type StrategySpec = Static<typeof StrategySchema>
export type BlueGreenSpec = Static<typeof BlueGreenStrategy>

/**
 * The schema as published in config/schema.json. A field with a default is required inside
 * ramp (the loader fills it in before checking) but optional to whoever writes the file, so
 * it leaves `required` here.
 */
export function schemaDocument(schema: TSchema = ConfigSchema): Record<string, unknown> {
  const optionalDefaults = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(optionalDefaults)
    if (node === null || typeof node !== 'object') return node
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) out[k] = optionalDefaults(v)
    const props = out.properties as Record<string, { default?: unknown }> | undefined
    if (Array.isArray(out.required) && props !== undefined) {
      out.required = (out.required as string[]).filter((k) => props[k]?.default === undefined)
      if ((out.required as string[]).length === 0) delete out.required
    }
    return out
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...optionalDefaults(JSON.parse(JSON.stringify(schema))) as Record<string, unknown> }
}
