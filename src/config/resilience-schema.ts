import { Type } from '@sinclair/typebox'
import { GrpcProbeSchema } from './grpc-schema.js'

/**
 * What keeps ramp serving when backends die and clients misbehave: active health checks,
 * passive ejection, retries, the drain on shutdown, and the limits put on clients. Every
 * field has a default a production proxy can run with; a section left out takes them.
 */
const strict = { additionalProperties: false } as const

export const HealthCheckSchema = Type.Object({
  enabled: Type.Boolean({ default: false, description: 'probe every backend on its own; off, only passive ejection takes a backend out' }),
  path: Type.String({ pattern: '^/', default: '/healthz' }),
  grpc: Type.Optional(GrpcProbeSchema),
  intervalMs: Type.Integer({ minimum: 50, default: 2000 }),
  timeoutMs: Type.Integer({ minimum: 1, default: 1000 }),
  jitter: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'each interval is stretched by up to this fraction, so checks of many backends do not fire together' }),
  healthyThreshold: Type.Integer({ minimum: 1, default: 2, description: 'consecutive passes that bring a backend back' }),
  unhealthyThreshold: Type.Integer({ minimum: 1, default: 3, description: 'consecutive failures that take a backend out' }),
  expectedStatus: Type.String({ pattern: '^[1-5][0-9]{2}(-[1-5][0-9]{2})?$', default: '200-399', description: 'a status (200) or an inclusive range (200-399)' }),
  slowStartMs: Type.Integer({ minimum: 0, default: 0, description: 'a backend that comes back takes a share that grows from ~0 to full over this time' }),
}, { ...strict, default: {} })

export const OutlierSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  consecutive5xx: Type.Integer({ minimum: 1, default: 5, description: '5xx responses in a row that eject a backend' }),
  consecutiveConnectFailures: Type.Integer({ minimum: 1, default: 3, description: 'connect failures or resets in a row that eject a backend' }),
  baseEjectionMs: Type.Integer({ minimum: 1, default: 10000, description: 'first ejection; each next one of the same backend lasts this times the number of ejections' }),
  maxEjectionMs: Type.Integer({ minimum: 1, default: 300000 }),
}, { ...strict, default: {} })

const Method = Type.Union(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH', 'TRACE'].map((m) => Type.Literal(m)))

export const RetrySchema = Type.Object({
  attempts: Type.Integer({ minimum: 1, maximum: 10, default: 2, description: 'tries in all, the first included; 1 turns retries off' }),
  methods: Type.Array(Method, { default: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'], uniqueItems: true, description: 'methods that may be retried; POST and PATCH only with nonIdempotent' }),
  nonIdempotent: Type.Boolean({ default: false, description: 'also retry POST and PATCH when listed in methods' }),
  onStatus: Type.Array(Type.Integer({ minimum: 500, maximum: 599 }), { default: [502, 503, 504], uniqueItems: true, description: 'upstream statuses retried, besides connect failures and resets before a response' }),
  backoffMs: Type.Integer({ minimum: 0, default: 25, description: 'base of the jittered exponential backoff between tries' }),
  maxBackoffMs: Type.Integer({ minimum: 0, default: 250 }),
  budget: Type.Object({
    ratio: Type.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'retries in flight at most this share of the requests in flight' }),
    minConcurrent: Type.Integer({ minimum: 0, default: 3, description: 'retries always allowed in flight, whatever the ratio' }),
  }, { ...strict, default: {} }),
}, { ...strict, default: {} })

export const ClientLimitsSchema = Type.Object({
  maxHeaderBytes: Type.Integer({ minimum: 1024, maximum: 1048576, default: 16384, description: 'request line and headers together; larger gets 431' }),
  maxHeaderCount: Type.Integer({ minimum: 1, default: 100, description: 'headers kept per request; the rest are dropped, as Node does' }),
  headersTimeoutMs: Type.Integer({ minimum: 1, default: 10000, description: 'time to send the whole request head (slowloris)' }),
  requestTimeoutMs: Type.Integer({ minimum: 0, default: 300000, description: 'time to send the whole request, body included; 0 for none' }),
  keepAliveTimeoutMs: Type.Integer({ minimum: 1, default: 5000, description: 'an idle keep-alive connection is closed after this' }),
  maxConnections: Type.Integer({ minimum: 1, default: 10000, description: 'open client connections per listener; more are refused' }),
  h2MaxConcurrentStreams: Type.Integer({ minimum: 1, maximum: 10000, default: 128, description: 'HTTP/2 streams one client connection may have open at once (announced in SETTINGS)' }),
  h2MaxResetsPerSecond: Type.Integer({ minimum: 1, default: 100, description: 'HTTP/2 streams a client may cancel per second before its connection gets GOAWAY (the rapid-reset defence)' }),
}, { ...strict, default: {} })

export const ListenerTlsSchema = Type.Object({
  cert: Type.String({ minLength: 1, description: 'PEM certificate chain file, relative to the config file; re-read on reload' }),
  key: Type.String({ minLength: 1, description: 'PEM private key file, relative to the config file; re-read on reload' }),
}, strict)
