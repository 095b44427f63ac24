/**
 * Analysis vocabulary shared by the config loader, the pure run rules, the providers and the
 * runner. Durations are milliseconds here (the config accepts "10s"); latency values are
 * milliseconds too, so `thresholdRange: { max: 500ms }` compares against 500.
 */

export type BuiltinMetric =
  | 'successRate' // canary non-5xx share of responses in the window, 0..1
  | 'errorRate' // canary 5xx-or-upstream-error share, 0..1
  | 'errorRateDelta' // canary errorRate minus stable errorRate, same window
  | 'latencyP50' | 'latencyP90' | 'latencyP99' // canary, milliseconds
  | 'latencyP99Ratio' // canary p99 / stable p99
  | 'requestRate' // canary requests per second in the window

export interface Range { min?: number; max?: number }

export type Provider =
  | { type: 'builtin'; metric: BuiltinMetric }
  | { type: 'prometheus'; address: string; query: string; timeoutMs: number }
  | { type: 'web'; url: string; method: 'GET' | 'POST'; jsonPath: string | null; timeoutMs: number; headers: Record<string, string>; body: string | null }
  /** A webhook used as a metric: 2xx is a pass (value 1), anything else a failure (value 0). */
  | { type: 'webhook'; url: string; timeoutMs: number; headers: Record<string, string> }

export interface MetricSpec {
  name: string
  provider: Provider
  /** A value outside the range is a failure. A webhook metric has `{ min: 1 }`. */
  range: Range
}

export interface AnalysisTemplate {
  name: string
  intervalMs: number
  /** Measurements per metric in a run; null runs until the run is stopped (background analysis). */
  count: number | null
  initialDelayMs: number
  failureLimit: number
  inconclusiveLimit: number
  consecutiveErrorLimit: number
  /** A builtin measurement over fewer canary requests than this is Inconclusive, never a pass. */
  minRequests: number
  /** Width of the window builtins read; defaults to the interval. */
  windowMs: number
  /** Whose traffic builtins read; absent: the run's listener. `mirror` is shadow traffic. */
  listener?: 'main' | 'preview' | 'mirror'
  metrics: MetricSpec[]
  /**
   * A webhook gate rather than an analysis: it passes at its first successful measurement and
   * fails once failures exceed `failureLimit` (null: it never fails, it waits).
   */
  gate?: { failureLimit: number | null }
}

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error'
export type RunPhase = 'Running' | 'Successful' | 'Failed' | 'Inconclusive'

/** One measurement of one metric: its value, the range it was held to, and what it was taken over. */
export interface Measurement {
  metric: string
  phase: MeasurementPhase
  value: number | null
  range: Range
  /** Requests behind a builtin value; null for external providers. */
  sampleSize: number | null
  windowMs: number | null
  at: number
  /** Why, in a sentence: "0.962 < 0.99 over 412 requests", "prometheus: connect ECONNREFUSED". */
  message: string
}

/** What a provider returns: a value with its sample size, or why there is none. */
export type ProviderResult =
  /** `detail` is what the value alone does not say, for the message: a webhook's "HTTP 503". */
  | { ok: true; value: number; sampleSize: number | null; detail?: string }
  | { ok: false; phase: 'Inconclusive' | 'Error'; message: string }

export type WebhookType = 'confirm-rollout' | 'pre-rollout' | 'rollout' | 'confirm-promotion' | 'post-rollout' | 'rollback' | 'event'

export interface WebhookSpec {
  name: string
  type: WebhookType
  url: string
  timeoutMs: number
  intervalMs: number
  headers: Record<string, string>
  /** pre-rollout: failures allowed before the rollout aborts. */
  failureLimit: number
}
