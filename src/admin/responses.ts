import { ErrorResponse, HealthResponse, HistoryResponse, ReadyResponse, ReloadResponse, RolloutResponse, StartResponse, StatusResponse, TextResponse, TrafficResponse } from './schemas.js'

/**
 * Every status each admin route answers, for the OpenAPI document (the admin server does not
 * serialize through these: responses are JSON.stringify'd, see body-validation.ts). A method
 * a path does not have answers 405 with `Allow`, and a path that is not here 404; neither can
 * be listed under an operation, so the document's description says so.
 */
const refusal = (description: string) => ({ ...ErrorResponse, description })
const unauthorized = refusal('the admin token is missing or wrong (a write always needs it once set; on a non-loopback admin address, every call but /healthz and /readyz)')
const internal = refusal('a bug in ramp (logged)')

const written = {
  400: refusal('the body or a value in it is invalid: the message and `problems` name each field'),
  401: unauthorized,
  409: refusal('the verb does not apply in this phase (`phase`, `allowed`), or another rollout is in progress'),
  413: refusal('the body is larger than 1 MiB'),
  415: refusal('the body is not JSON'),
  500: internal,
  503: refusal('ramp is draining, or the state store cannot be written'),
}

export const readSchema = (ok: object) => ({ 200: ok, 401: unauthorized, 500: internal })

export const verbResponses = { 200: { ...RolloutResponse, description: 'the rollout the verb left' }, ...written }
export const startResponses = { 201: { ...StartResponse, description: 'the rollout started' }, ...written }
export const reloadResponses = { 200: ReloadResponse, ...written }

export const statusResponses = readSchema(StatusResponse)
export const rolloutResponses = readSchema(RolloutResponse)
export const historyResponses = readSchema(HistoryResponse)
export const trafficResponses = { ...readSchema(TrafficResponse), 400: refusal('`since` is not epoch milliseconds within the measurements kept') }

export const healthzResponses = { 200: HealthResponse }
export const readyzResponses = { 200: ReadyResponse, 503: { ...ReadyResponse, description: 'starting or draining' } }
export const metricsResponses = {
  200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: TextResponse } } },
  401: refusal('on a non-loopback admin address: the admin token or admin.metricsToken is missing or wrong (admin.metricsPublic opens /metrics)'),
  500: internal,
}

export const eventsSchema = {
  summary: 'Server-sent events: the current `status` first, then one `rollout` event per state change, and a comment every 15 s.',
  response: {
    200: { description: 'an event stream, open until the client closes it', content: { 'text/event-stream': { schema: TextResponse } } },
    401: unauthorized,
    503: refusal('admin.maxEventStreams streams are open already (Retry-After tells when to try again)'),
  },
}
