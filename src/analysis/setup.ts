import type { Config } from '../config/load.js'
import type { Logger } from '../log.js'
import type { Metrics, WindowReading } from '../metrics/registry.js'
import type { Clock } from '../clock.js'
import type { AnalysisExecutor, AnalysisReport } from '../rollout/driver.js'
import type { Gates, RolloutState } from '../rollout/types.js'
import { templatesFromConfig, webhooksFromConfig } from './from-config.js'
import { Notifier } from './notifier.js'
import type { WebhookPayload } from './providers/webhook.js'
import { AnalysisRunner, type RunView } from './runner.js'
import type { Measurements } from './window.js'

export interface AnalysisSetup {
  gates: Gates
  /** For the driver: makes the runner, which reports verdicts back through `report`. */
  executor: (report: AnalysisReport, state: () => RolloutState) => AnalysisExecutor
  view: () => { current: RunView[]; last: RunView[] }
  notifier: Notifier
}

export interface AnalysisDeps {
  clock: Clock
  log: Logger
  metrics: Metrics
  /** What builtin metrics read: the in-process data plane's windows, or the sum of the workers'. */
  measurements: Measurements
  /** Brings `measurements` up to date before a builtin metric reads them (workers). */
  collect?: () => Promise<void>
  /** Whose measurements a window holds (a fleet's instances), for the measurement's message. */
  sources?: (fromMs: number) => string
  /** A rollback webhook answered 2xx. */
  rollback: (webhook: string) => void
}

/** The window the exported `ramp_window_*` gauges read: one minute, like a dashboard would. */
const gaugeWindowMs = 60_000

export function payloadOf(name: string, s: RolloutState): WebhookPayload {
  return { rollout: name, phase: s.phase, step: s.stepIndex >= 0 ? s.stepIndex : null, weight: s.weightBp / 100, version: s.canary?.name ?? s.stable.name }
}

/** Builds the analysis side of ramp from the config: measurements, the runner, the watching webhooks. */
export function setUpAnalysis(config: Config, deps: AnalysisDeps): AnalysisSetup {
  const { measurements } = deps
  const templates = templatesFromConfig(config)
  const webhooks = webhooksFromConfig(config)
  let runner: AnalysisRunner | null = null
  return {
    gates: {
      preRollout: webhooks.some((w) => w.type === 'pre-rollout'),
      confirmRollout: webhooks.some((w) => w.type === 'confirm-rollout'),
      confirmPromotion: webhooks.some((w) => w.type === 'confirm-promotion'),
    },
    executor: (report, state) => (runner = new AnalysisRunner({
      templates, webhooks, measurements, clock: deps.clock, log: deps.log, metrics: deps.metrics, report,
      ...(deps.collect === undefined ? {} : { collect: deps.collect }),
      ...(deps.sources === undefined ? {} : { sources: deps.sources }),
      context: () => {
        const s = state()
        return { canary: s.canary?.name ?? '', stable: s.stable.name, payload: payloadOf(config.name, s) }
      },
    })),
    view: () => runner?.view() ?? { current: [], last: [] },
    notifier: new Notifier({ webhooks, clock: deps.clock, log: deps.log, payload: (s) => payloadOf(config.name, s), rollback: deps.rollback }),
  }
}

/** What the exported `ramp_window_*` gauges read at a scrape: the last minute of the versions of the state in force. */
export function windowReadings(measurements: Measurements, state: () => RolloutState, clock: Clock): () => WindowReading[] {
  return () => {
    const s = state()
    const now = clock.now()
    const out: WindowReading[] = []
    for (const listener of ['main', 'preview']) {
      for (const version of s.canary === null ? [s.stable.name] : [s.stable.name, s.canary.name]) {
        const w = measurements.window(listener, version, now - gaugeWindowMs, now)
        if (w.requests > 0) out.push({ listener, version, successRate: w.successRate(), p99Ms: w.quantile(0.99) })
      }
    }
    return out
  }
}
