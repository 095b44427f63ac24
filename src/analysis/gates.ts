import type { AnalysisKind } from '../rollout/types.js'
import type { AnalysisTemplate, Measurement, RunPhase, WebhookSpec, WebhookType } from './types.js'

/**
 * Flagger's webhook gates as templates the runner measures like any other: each webhook is
 * one metric, a 2xx its pass. Which webhooks a gate calls, and how it decides:
 *
 * | run kind         | webhooks          | passes when              | fails when                      |
 * | ---------------- | ----------------- | ------------------------ | ------------------------------- |
 * | preRollout       | pre-rollout       | each answered 2xx once   | one failed more than its limit  |
 * | confirmRollout   | confirm-rollout   | each answered 2xx once   | never: it waits                 |
 * | confirmPromotion | confirm-promotion | each answered 2xx once   | never: it waits                 |
 */
const gateKinds: Partial<Record<AnalysisKind, { type: WebhookType; fails: boolean }>> = {
  preRollout: { type: 'pre-rollout', fails: true },
  confirmRollout: { type: 'confirm-rollout', fails: false },
  confirmPromotion: { type: 'confirm-promotion', fails: false },
}

function webhookTemplate(w: WebhookSpec, gate: AnalysisTemplate['gate']): AnalysisTemplate {
  return {
    name: `${w.type}:${w.name}`,
    intervalMs: w.intervalMs,
    count: null,
    initialDelayMs: 0,
    failureLimit: w.failureLimit,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    minRequests: 0,
    windowMs: w.intervalMs,
    metrics: [{ name: w.name, provider: { type: 'webhook', url: w.url, timeoutMs: w.timeoutMs, headers: w.headers }, range: { min: 1 } }],
    ...(gate === undefined ? {} : { gate }),
  }
}

/** The templates of a gate run, or null when the kind is an analysis and not a gate. */
export function gateTemplates(kind: AnalysisKind, webhooks: readonly WebhookSpec[]): AnalysisTemplate[] | null {
  const g = gateKinds[kind]
  if (g === undefined) return null
  return webhooks.filter((w) => w.type === g.type).map((w) => webhookTemplate(w, { failureLimit: g.fails ? w.failureLimit : null }))
}

/** `rollout` webhooks join every analysis run as metrics measured each interval until it ends. */
export function rolloutCheckTemplates(webhooks: readonly WebhookSpec[]): AnalysisTemplate[] {
  return webhooks.filter((w) => w.type === 'rollout').map((w) => webhookTemplate(w, undefined))
}

/** A gate's verdict over its measurements so far (see the table above). */
export function gatePhase(gate: NonNullable<AnalysisTemplate['gate']>, measurements: readonly Measurement[]): { phase: RunPhase; message: string } {
  const last = measurements.at(-1)
  if (last === undefined) return { phase: 'Running', message: 'not called yet' }
  if (last.phase === 'Successful') return { phase: 'Successful', message: last.message }
  const failures = measurements.filter((m) => m.phase !== 'Successful').length
  if (gate.failureLimit !== null && failures > gate.failureLimit) return { phase: 'Failed', message: `${last.message} (${failures} failures > failureLimit ${gate.failureLimit})` }
  return { phase: 'Running', message: `waiting: ${last.message}` }
}
