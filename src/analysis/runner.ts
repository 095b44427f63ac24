import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import type { Clock } from '../clock.js'
import type { AnalysisRef, AnalysisResult } from '../rollout/types.js'
import { evaluateBuiltin } from './builtins.js'
import { gatePhase, gateTemplates, rolloutCheckTemplates } from './gates.js'
import { queryPrometheus } from './providers/prometheus.js'
import { queryWeb } from './providers/web.js'
import { callWebhook, type WebhookPayload } from './providers/webhook.js'
import { runPhase, toMeasurement } from './run-rules.js'
import type { AnalysisTemplate, Measurement, MetricSpec, ProviderResult, RunPhase, WebhookSpec } from './types.js'
import type { Measurements } from './window.js'

/** What a run needs to know about the rollout at the moment it measures. */
export interface RunContext {
  canary: string
  stable: string
  payload: WebhookPayload
}

export interface RunnerDeps {
  templates: ReadonlyMap<string, AnalysisTemplate>
  webhooks: readonly WebhookSpec[]
  measurements: Measurements
  clock: Clock
  log: Logger
  metrics: Metrics
  context: () => RunContext
  /** Brings the measurements up to date first (workers report theirs every second otherwise). */
  collect?: () => Promise<void>
  /** Whose measurements a window since `fromMs` holds, for the message ("from 3 instances": a fleet). */
  sources?: (fromMs: number) => string
  /** Called once per run, when it is decided; the driver turns it into an engine event. */
  report: (id: string, result: AnalysisResult, message: string) => void
}

/** Measurements kept per metric in a run's view; the verdict uses them all. */
const keptPerMetric = 10
const keptRuns = 5

interface TemplateRun {
  template: AnalysisTemplate
  perMetric: Record<string, Measurement[]>
  phase: RunPhase
  message: string
  cancel: (() => void) | null
}

export interface RunView {
  id: string
  kind: AnalysisRef['kind']
  listener: AnalysisRef['listener']
  startedAt: string
  phase: RunPhase
  message: string
  templates: Array<{ name: string; phase: RunPhase; message: string; measurements: Record<string, Measurement[]> }>
}

class Run {
  readonly parts: TemplateRun[]
  phase: RunPhase = 'Running'
  message = ''
  private stopped = false
  private startedAt = 0

  constructor(readonly ref: AnalysisRef, templates: AnalysisTemplate[], private readonly deps: RunnerDeps, private readonly done: (run: Run) => void) {
    this.parts = templates.map((template) => ({ template, perMetric: {}, phase: 'Running', message: '', cancel: null }))
  }

  /**
   * A builtin measures the window that just ended, so a template with builtins takes its
   * first measurement one window after the start (after initialDelay): measured at once it
   * would see only the traffic from before the run, at the previous weight.
   */
  start(): void {
    const now = this.deps.clock.now()
    this.startedAt = now
    for (const part of this.parts) {
      const fill = part.template.metrics.some((m) => m.provider.type === 'builtin') ? part.template.windowMs : 0
      this.schedule(part, now + part.template.initialDelayMs + fill)
    }
    if (this.parts.length === 0) this.finish('Successful', 'nothing to measure')
  }

  stop(): void {
    this.stopped = true
    for (const p of this.parts) p.cancel?.()
  }

  private schedule(part: TemplateRun, at: number): void {
    part.cancel = this.deps.clock.at(at, () => { void this.measure(part) })
  }

  /**
   * One measurement of every metric of a template, then the template's verdict. A template
   * that fails decides the run at once; otherwise the run waits for every template that has
   * a count, and templates without one (background checks) end with it.
   */
  private async measure(part: TemplateRun): Promise<void> {
    part.cancel = null
    const at = this.deps.clock.now()
    const results = await Promise.all(part.template.metrics.map((m) => this.provide(part.template, m, at)))
    if (this.stopped) return
    part.template.metrics.forEach((m, i) => {
      const measurement = toMeasurement(m, results[i] as ProviderResult, at, part.template.windowMs)
      const list = (part.perMetric[m.name] ??= [])
      list.push(measurement)
      if (measurement.value !== null) this.deps.metrics.analysisMeasurement.set({ template: part.template.name, metric: m.name }, measurement.value)
    })
    const gate = part.template.gate
    const verdict = gate === undefined ? runPhase(part.template, part.perMetric) : gatePhase(gate, part.perMetric[part.template.metrics[0]?.name ?? ''] ?? [])
    part.phase = verdict.phase
    part.message = verdict.message
    if (verdict.phase === 'Running') {
      this.schedule(part, at + part.template.intervalMs)
    } else {
      this.deps.metrics.analysisRuns.inc({ template: part.template.name, result: verdict.phase })
    }
    this.decide()
  }

  private decide(): void {
    const failed = this.parts.find((p) => p.phase === 'Failed')
    if (failed !== undefined) return this.finish('Failed', this.named(failed, 'failed'))
    const bounded = this.parts.filter((p) => p.template.count !== null || p.template.gate !== undefined)
    if (bounded.length === 0 || bounded.some((p) => p.phase === 'Running')) return
    const inconclusive = this.parts.find((p) => p.phase === 'Inconclusive')
    if (inconclusive !== undefined) return this.finish('Inconclusive', this.named(inconclusive, 'inconclusive'))
    for (const p of this.parts) {
      if (p.phase !== 'Running') continue
      const end = runPhase(p.template, p.perMetric, { stopped: true })
      p.phase = end.phase
      p.message = end.message
    }
    this.finish('Successful', bounded.map((p) => this.named(p, 'passed')).join('; '))
  }

  /** The engine names the run's templates already; a run of several says which one decided. */
  private named(part: TemplateRun, verb: string): string {
    return this.parts.length > 1 ? `${part.template.name} ${verb}: ${part.message}` : part.message
  }

  private finish(phase: Exclude<RunPhase, 'Running'>, message: string): void {
    if (this.stopped) return
    this.stop()
    this.phase = phase
    this.message = message
    this.done(this)
  }

  private provide(template: AnalysisTemplate, metric: MetricSpec, at: number): Promise<ProviderResult> {
    const p = metric.provider
    switch (p.type) {
      case 'builtin': {
        const ctx = this.deps.context()
        // Never reach back before the run: that traffic was at another weight, or another step.
        const windowMs = Math.max(1, Math.min(template.windowMs, at - this.startedAt))
        const evaluate = (): ProviderResult => {
          const r = evaluateBuiltin(p.metric, this.deps.measurements, {
            listener: template.listener ?? this.ref.listener, canary: ctx.canary, stable: ctx.stable, windowMs, now: at, minRequests: template.minRequests,
          })
          const sources = this.deps.sources?.(at - windowMs)
          if (sources === undefined) return r
          return r.ok ? { ...r, detail: sources } : { ...r, message: `${r.message}, ${sources}` }
        }
        return this.deps.collect === undefined ? Promise.resolve(evaluate()) : this.deps.collect().then(evaluate)
      }
      case 'prometheus': return queryPrometheus(p)
      case 'web': return queryWeb(p)
      case 'webhook': return callWebhook(p, this.deps.context().payload)
    }
  }

  view(): RunView {
    return {
      id: this.ref.id,
      kind: this.ref.kind,
      listener: this.ref.listener,
      startedAt: new Date(this.ref.startedAt).toISOString(),
      phase: this.phase,
      message: this.message,
      templates: this.parts.map((p) => ({
        name: p.template.name,
        phase: p.phase,
        message: p.message,
        measurements: Object.fromEntries(Object.entries(p.perMetric).map(([k, v]) => [k, v.slice(-keptPerMetric)])),
      })),
    }
  }
}

/**
 * Carries out the analysis runs the engine asks for: builtin metrics over ramp's own
 * measurements, Prometheus and web providers, and webhooks. It decides nothing about the
 * rollout: each run's verdict goes back to the engine through `report`.
 */
export class AnalysisRunner {
  private readonly running = new Map<string, Run>()
  private readonly finished: RunView[] = []

  constructor(private readonly deps: RunnerDeps) {}

  start(ref: AnalysisRef): void {
    if (this.running.has(ref.id)) return
    const templates = this.templatesOf(ref)
    const run = new Run(ref, templates, this.deps, (r) => {
      this.running.delete(r.ref.id)
      this.remember(r)
      this.deps.log.info({ analysis: { id: r.ref.id, kind: r.ref.kind, result: r.phase } }, `analysis ${r.ref.id}: ${r.phase}: ${r.message}`)
      this.deps.report(r.ref.id, r.phase as AnalysisResult, r.message)
    })
    this.running.set(ref.id, run)
    this.deps.log.info({ analysis: { id: ref.id, kind: ref.kind, templates: templates.map((t) => t.name) } }, `analysis ${ref.id} started`)
    run.start()
  }

  stop(id: string): void {
    const run = this.running.get(id)
    if (run === undefined) return
    run.stop()
    this.running.delete(id)
    this.remember(run)
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) this.stop(id)
  }

  view(): { current: RunView[]; last: RunView[] } {
    return { current: [...this.running.values()].map((r) => r.view()), last: [...this.finished] }
  }

  private remember(run: Run): void {
    this.finished.unshift(run.view())
    this.finished.length = Math.min(this.finished.length, keptRuns)
  }

  /** The templates a run measures: named ones, plus `rollout` webhooks; a gate runs its webhooks. */
  private templatesOf(ref: AnalysisRef): AnalysisTemplate[] {
    const gate = gateTemplates(ref.kind, this.deps.webhooks)
    if (gate !== null) return gate
    const named = ref.templates.flatMap((name) => {
      const t = this.deps.templates.get(name)
      if (t === undefined) this.deps.log.error({ analysis: { id: ref.id, template: name } }, `analysis template ${name} is not configured; the run measures without it`)
      return t === undefined ? [] : [t]
    })
    return [...named, ...rolloutCheckTemplates(this.deps.webhooks)]
  }
}
