import { durationMs } from '../config/duration.js'
import { isMapping } from '../config/is-mapping.js'
import { nameOf } from './import-analysis.js'

/**
 * A Flagger `Canary` (flagger.app) into ramp's strategy, analysis and webhooks, for `ramp
 * import`. Flagger's loop (move by stepWeight each interval up to maxWeight, checking the
 * metrics each interval and rolling back after `threshold` failed checks) becomes setWeight
 * steps with a pause of one interval each and a background analysis whose failureLimit is
 * threshold - 1; A/B (iterations with match) becomes header routes held for iterations x
 * interval; iterations alone is Flagger's blue/green. Everything else is named in `notes`.
 */
type Doc = Record<string, unknown>

const ignoredSpec: Record<string, string> = {
  targetRef: 'ramp does not run Deployments; the versions are the backends you give',
  autoscalerRef: 'ramp does not scale replicas',
  service: 'ramp routes to backends directly, not through Services or a mesh',
  ingressRef: 'ramp is the traffic router',
  routeRef: 'ramp is the traffic router',
  upstreamRef: 'ramp is the traffic router',
  provider: 'ramp is the traffic router',
  revertOnDeletion: 'ramp has no Kubernetes objects to revert',
  suspend: 'a ramp rollout starts with `ramp deploy`; pause it with `ramp pause`',
}

const ignoredAnalysis: Record<string, string> = {
  stepWeightPromotion: 'ramp promotes in one move after the last step',
  primaryReadyThreshold: 'ramp waits for every backend of the new version to be ready',
  canaryReadyThreshold: 'ramp waits for every backend of the new version to be ready',
  sessionAffinity: 'ramp\'s stickiness (stickiness:) keeps a client on the version its bucket falls in; set it by hand if wanted',
  alerts: 'ramp has no alert providers; an event webhook is told every change',
  canaryReadyThresholdPercent: 'ramp waits for every backend of the new version to be ready',
}

/** Flagger's builtin metrics; Flagger writes success in percent, ramp as a share. */
const builtins: Record<string, { builtin: string; scale: number }> = {
  'request-success-rate': { builtin: 'successRate', scale: 0.01 },
  'request-duration': { builtin: 'latencyP99', scale: 1 },
}

const webhookTypes = new Set(['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'rollback', 'event'])

export function fromFlagger(canary: Doc, docs: Doc[], notes: string[]): Doc {
  const spec = isMapping(canary.spec) ? canary.spec : {}
  for (const key of Object.keys(spec)) {
    if (key === 'analysis' || key === 'canaryAnalysis' || key === 'progressDeadlineSeconds' || key === 'skipAnalysis') continue
    notes.push(`spec.${key} dropped: ${ignoredSpec[key] ?? 'not a Canary field ramp knows'}`)
  }
  const a = isMapping(spec.analysis) ? spec.analysis : isMapping(spec.canaryAnalysis) ? spec.canaryAnalysis : {}
  for (const key of Object.keys(a)) if (ignoredAnalysis[key] !== undefined) notes.push(`spec.analysis.${key} dropped: ${ignoredAnalysis[key]}`)
  const interval = typeof a.interval === 'string' ? a.interval : '1m'
  const intervalMs = durationMs(interval) ?? 60_000
  const threshold = typeof a.threshold === 'number' ? a.threshold : 1
  const iterations = typeof a.iterations === 'number' ? a.iterations : undefined
  const holdSeconds = Math.round(((iterations ?? 1) * intervalMs) / 1000)
  const hold = `${holdSeconds}s`
  const match = Array.isArray(a.match) ? a.match.filter(isMapping) : []
  const mirror = a.mirror === true

  let steps: Doc[] = []
  let listener: string | undefined
  let mode: 'canary' | 'blueGreen' = 'canary'
  if (iterations !== undefined && match.length > 0) {
    // Istio's match list is any-of; a ramp route's conditions are all-of: one route each.
    steps = match.flatMap((m, i) => abRoute(m, `ab-${i}`, `spec.analysis.match[${i}]`, notes))
    steps.push({ pause: { duration: hold } })
    if (mirror) notes.push('spec.analysis.mirror dropped: with match, the A/B routes already send the matched traffic to the new version')
  } else if (iterations !== undefined && mirror) {
    steps = [{ setMirrorRoute: { name: 'mirror', percentage: typeof a.mirrorWeight === 'number' ? a.mirrorWeight : 100 } }, { pause: { duration: hold } }]
    listener = 'mirror'
  } else if (iterations !== undefined) {
    mode = 'blueGreen'
  } else {
    const maxWeight = typeof a.maxWeight === 'number' ? a.maxWeight : 100
    const step = typeof a.stepWeight === 'number' && a.stepWeight > 0 ? a.stepWeight : undefined
    const weights = Array.isArray(a.stepWeights) ? a.stepWeights.filter((w): w is number => typeof w === 'number' && w <= maxWeight)
      : step !== undefined ? Array.from({ length: Math.floor(maxWeight / step) }, (_, i) => (i + 1) * step)
        : []
    steps = weights.flatMap((w) => [{ setWeight: w }, { pause: { duration: interval } }])
    if (mirror) notes.push('spec.analysis.mirror dropped: Flagger mirrors with iterations (blue/green); with stepWeight the canary takes real traffic')
  }

  const skip = spec.skipAnalysis === true
  if (skip) notes.push('spec.skipAnalysis: true: the metrics are dropped and the rollout only walks its steps, as Flagger does')
  const templates = skip ? [] : (Array.isArray(a.metrics) ? a.metrics : []).filter(isMapping).flatMap((m, i) => metricTemplate(m, i, { canary, docs, interval, threshold, count: mode === 'blueGreen' ? iterations : undefined, listener }, notes))
  const refs = templates.map((t) => String(t.name))
  const webhooks = (Array.isArray(a.webhooks) ? a.webhooks : []).filter(isMapping).flatMap((h, i) => webhook(h, i, interval, threshold, notes))

  const strategy: Doc = mode === 'blueGreen'
    ? { blueGreen: { autoPromotionSeconds: holdSeconds, ...(refs.length === 0 ? {} : { prePromotionAnalysis: { templates: refs } }) } }
    : { canary: { steps, ...(refs.length === 0 ? {} : { analysis: { templates: refs } }) } }
  if (mode === 'blueGreen') notes.push(`spec.analysis.iterations ${iterations} without match: Flagger's blue/green; the new version is on the preview listener for ${hold}, judged by the metrics, then promoted`)
  return {
    strategy,
    // Flagger rolls a canary back when it does not become ready in time.
    progressDeadlineAbort: true,
    ...(typeof spec.progressDeadlineSeconds === 'number' ? { progressDeadlineSeconds: spec.progressDeadlineSeconds } : {}),
    ...(templates.length === 0 ? {} : { analysis: { templates } }),
    ...(webhooks.length === 0 ? {} : { webhooks }),
  }
}

/** An Istio HTTPMatchRequest as a setHeaderRoute step; only header matches carry over. */
function abRoute(m: Doc, name: string, at: string, notes: string[]): Doc[] {
  for (const key of Object.keys(m)) if (key !== 'headers') notes.push(`${at}.${key} dropped: ramp's A/B routes match on headers`)
  if (!isMapping(m.headers) || Object.keys(m.headers).length === 0) return []
  // Istio matches a regex against the whole value; ramp's search it, hence the anchors.
  const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, isMapping(v) && typeof v.regex === 'string' ? { regex: `^(?:${v.regex})$` } : v]))
  return [{ setHeaderRoute: { name, match: [{ headers }] } }]
}

interface MetricContext {
  canary: Doc
  docs: Doc[]
  interval: string
  threshold: number
  /** Blue/green: the pre-promotion run measures this many times, then lets the promotion go. */
  count: number | undefined
  listener: string | undefined
}

/** One template per metric, so each keeps its own window; Flagger checks every metric each interval. */
function metricTemplate(m: Doc, i: number, ctx: MetricContext, notes: string[]): Doc[] {
  const at = `spec.analysis.metrics[${i}] (${String(m.name)})`
  const range = isMapping(m.thresholdRange) ? m.thresholdRange : {}
  const window = typeof m.interval === 'string' ? m.interval : ctx.interval
  let metric: Doc
  const builtin = builtins[String(m.name)]
  if (m.templateRef === undefined && builtin !== undefined) {
    const scale = (v: unknown): unknown => (typeof v === 'number' ? Math.round(v * builtin.scale * 1e6) / 1e6 : undefined)
    metric = { name: String(m.name), builtin: builtin.builtin, thresholdRange: dropUndefined({ min: scale(range.min), max: scale(range.max) }) }
  } else {
    const ref = isMapping(m.templateRef) ? String(m.templateRef.name) : ''
    const doc = ctx.docs.find((d) => d.kind === 'MetricTemplate' && nameOf(d) === ref)
    const spec = doc !== undefined && isMapping(doc.spec) ? doc.spec : {}
    const provider = isMapping(spec.provider) ? spec.provider : {}
    if (doc === undefined || provider.type !== 'prometheus' || typeof spec.query !== 'string' || typeof provider.address !== 'string') {
      notes.push(`${at} dropped: ${doc === undefined ? `MetricTemplate ${ref || '(none)'} is not in this file, and ramp's builtins are request-success-rate and request-duration` : `MetricTemplate ${ref} uses provider ${String(provider.type)}; ramp runs prometheus ones`}`)
      return []
    }
    for (const key of Object.keys(provider)) if (!['type', 'address'].includes(key)) notes.push(`MetricTemplate ${ref} provider.${key} dropped: ramp's Prometheus provider takes an address and a query only`)
    const target = isMapping((ctx.canary.spec as Doc | undefined)?.targetRef) ? String(((ctx.canary.spec as Doc).targetRef as Doc).name) : nameOf(ctx.canary)
    const vars: Record<string, string> = {
      namespace: String((ctx.canary.metadata as { namespace?: string } | undefined)?.namespace ?? 'default'),
      name: nameOf(ctx.canary),
      target,
      service: target,
      interval: window,
      ...Object.fromEntries(Object.entries(isMapping(m.templateVariables) ? m.templateVariables : {}).map(([k, v]) => [`variables.${k}`, String(v)])),
    }
    const query = spec.query.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, key: string) => vars[key] ?? whole)
    metric = { name: String(m.name), prometheus: { address: provider.address, query: query.trim() }, thresholdRange: dropUndefined({ min: range.min, max: range.max }) }
  }
  const template: Doc = {
    name: `flagger-${String(m.name).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '')}`,
    interval: ctx.interval,
    ...(ctx.count === undefined ? {} : { count: ctx.count }),
    failureLimit: Math.max(0, ctx.threshold - 1),
    ...(metric.builtin === undefined ? {} : { window }),
    ...(ctx.listener === undefined ? {} : { listener: ctx.listener }),
    metrics: [metric],
  }
  return [template]
}

function webhook(h: Doc, i: number, interval: string, threshold: number, notes: string[]): Doc[] {
  const at = `spec.analysis.webhooks[${i}] (${String(h.name)})`
  const type = typeof h.type === 'string' ? h.type : 'rollout'
  if (!webhookTypes.has(type)) {
    notes.push(`${at} dropped: ramp has no ${type} webhooks${type === 'confirm-traffic-increase' ? '; a pause step with `ramp promote` holds each weight instead' : ''}`)
    return []
  }
  for (const key of Object.keys(h)) {
    if (key === 'metadata') notes.push(`${at}.metadata dropped: ramp's webhook payload is { rollout, phase, step, weight, version }; the load tester's commands do not carry over`)
    else if (!['name', 'type', 'url', 'timeout'].includes(key)) notes.push(`${at}.${key} dropped: not a field of ramp's webhooks`)
  }
  // A failed pre-rollout check counts toward Flagger's threshold like a failed metric.
  return [{ name: String(h.name), type, url: h.url, ...(typeof h.timeout === 'string' ? { timeout: h.timeout } : {}), interval, ...(type === 'pre-rollout' ? { failureLimit: Math.max(0, threshold - 1) } : {}) }]
}

const dropUndefined = (o: Doc): Doc => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
