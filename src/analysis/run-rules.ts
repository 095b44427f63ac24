import { describeMeasurement } from './sentence.js'
import type { AnalysisTemplate, Measurement, MeasurementPhase, MetricSpec, ProviderResult, Range, RunPhase } from './types.js'

/**
 * Argo Rollouts' analysis rules as pure functions: a provider result against its range makes
 * a measurement, and a template's limits over the measurements so far make the run's phase.
 */

/** Inside the range (bounds included) is Successful, outside Failed; a result without a value keeps its phase. */
export function judge(result: ProviderResult, range: Range): MeasurementPhase {
  if (!result.ok) return result.phase
  const v = result.value
  if (!Number.isFinite(v)) return 'Inconclusive'
  if (range.min !== undefined && v < range.min) return 'Failed'
  if (range.max !== undefined && v > range.max) return 'Failed'
  return 'Successful'
}

/**
 * The measurement of `spec` taken at `at`. `windowMs` is the template's builtin window; it
 * belongs to a builtin measurement only, since an external provider chooses its own.
 */
export function toMeasurement(spec: MetricSpec, result: ProviderResult, at: number, windowMs: number): Measurement {
  const fields: Omit<Measurement, 'message'> = {
    metric: spec.name,
    phase: judge(result, spec.range),
    value: result.ok ? result.value : null,
    range: spec.range,
    sampleSize: result.ok ? result.sampleSize : null,
    windowMs: spec.provider.type === 'builtin' ? windowMs : null,
    at,
  }
  const reason = result.ok ? `${result.value} is not a finite number` : result.message
  return { ...fields, message: describeMeasurement(fields, reason, result.ok ? result.detail : undefined) }
}

interface MetricVerdict {
  phase: RunPhase
  /** The measurement that decided the phase, or the latest one while Running. */
  deciding: Measurement | null
  why: string
}

/**
 * One metric, read in order, stopping at the first measurement that decides it so that
 * later ones (say a success that resets the error streak) cannot undo a verdict.
 * As in Argo, an Error is not counted towards `count`, and any measurement that is not an
 * Error ends the streak of consecutive errors.
 */
function metricVerdict(t: AnalysisTemplate, name: string, measurements: readonly Measurement[], stopped: boolean): MetricVerdict {
  let taken = 0
  let failures = 0
  let inconclusives = 0
  let errorStreak = 0
  for (const m of measurements) {
    if (m.phase === 'Error') errorStreak++
    else {
      errorStreak = 0
      taken++
      if (m.phase === 'Failed') failures++
      if (m.phase === 'Inconclusive') inconclusives++
    }
    if (failures > t.failureLimit) return { phase: 'Failed', deciding: m, why: `${plural(failures, 'failure')} > failureLimit ${t.failureLimit}` }
    if (errorStreak > t.consecutiveErrorLimit) return { phase: 'Failed', deciding: m, why: `${plural(errorStreak, 'consecutive error')} > consecutiveErrorLimit ${t.consecutiveErrorLimit}` }
    if (inconclusives > t.inconclusiveLimit) return { phase: 'Inconclusive', deciding: m, why: `${inconclusives} inconclusive > inconclusiveLimit ${t.inconclusiveLimit}` }
    if (t.count !== null && taken >= t.count) return { phase: 'Successful', deciding: m, why: `count ${t.count} reached` }
  }
  const last = measurements.at(-1) ?? null
  if (stopped) return { phase: 'Successful', deciding: last, why: `stopped after ${plural(taken, 'measurement')}` }
  return { phase: 'Running', deciding: last, why: t.count === null ? `${name} ${plural(taken, 'measurement')} so far` : `${name} ${taken} of ${t.count}` }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

const decidedAt = (v: MetricVerdict, none: number): number => v.deciding?.at ?? none

/** The earliest deciding measurement is the one that actually ended the run. */
function earliest(verdicts: MetricVerdict[]): MetricVerdict {
  return verdicts.reduce((a, b) => (decidedAt(b, Infinity) < decidedAt(a, Infinity) ? b : a))
}

/** On a tie, the metric later in the template, as the one read last. */
function latest(verdicts: MetricVerdict[]): MetricVerdict {
  return verdicts.reduce((a, b) => (decidedAt(b, -Infinity) >= decidedAt(a, -Infinity) ? b : a))
}

function sentence(v: MetricVerdict): string {
  return v.deciding === null ? v.why : `${v.deciding.message} (${v.why})`
}

/**
 * The run's phase: Failed if any metric failed, else Inconclusive if any was, else Successful
 * once every metric is, else Running. A template with `count: null` runs until `stopped`,
 * which (as Argo's termination) makes every still-running metric Successful. The message is
 * the deciding measurement's sentence with the limit it crossed.
 */
export function runPhase(template: AnalysisTemplate, perMetric: Readonly<Record<string, readonly Measurement[]>>, options: { stopped?: boolean } = {}): { phase: RunPhase; message: string } {
  const verdicts = template.metrics.map((spec) => metricVerdict(template, spec.name, perMetric[spec.name] ?? [], options.stopped === true))
  if (verdicts.length === 0) return { phase: 'Successful', message: `template ${template.name} has no metrics` }
  for (const phase of ['Failed', 'Inconclusive'] as const) {
    const decided = verdicts.filter((v) => v.phase === phase)
    if (decided.length > 0) return { phase, message: sentence(earliest(decided)) }
  }
  const running = verdicts.filter((v) => v.phase === 'Running')
  if (running.length === 0) return { phase: 'Successful', message: sentence(latest(verdicts)) }
  const last = latest(verdicts).deciding
  return { phase: 'Running', message: `waiting for measurements: ${running.map((v) => v.why).join(', ')}${last === null ? '' : `; last: ${last.message}`}` }
}
