import { Measurements } from '../analysis/window.js'
import { sweepDeadBuffers } from '../buffer-sweep.js'
import { systemClock } from '../clock.js'
import { CurrentConfig } from '../config/current.js'
import { createDataPlane } from '../data-plane.js'
import { keepServingOnUncaught } from '../lifecycle/last-resort.js'
import { moment } from '../lifecycle/serving.js'
import { closeAgent } from '../lifecycle/shutdown.js'
import { createLogger, logFlushed, type Logger } from '../log.js'
import { Metrics } from '../metrics/registry.js'
import { createUpstreamAgent } from '../proxy/agent.js'
import { SwappableAgent } from '../proxy/swappable-agent.js'
import { releaseYoungGeneration } from '../startup-memory.js'
import { certificatesOf } from '../tls/listeners.js'
import { isToWorker, type FromWorker, type ToWorker } from './messages.js'

/** How often a worker reports its windows and metrics unasked. */
const reportEveryMs = 1000
/** A worker only keeps its windows until the next report; a few seconds cover a primary that is slow to read. */
const keptMs = 10_000

const send = (m: FromWorker, then?: () => void): void => {
  // The channel is gone once the primary is: the disconnect handler ends the worker.
  if (process.connected) process.send?.(m, undefined, {}, () => then?.())
  else then?.()
}

/**
 * A worker process (node:cluster): one data plane on the listening sockets the primary
 * shares, driven only by what the primary sends. It asks for the current spec first and
 * accepts no connection before it applied it; it never writes the state store.
 */
export function runWorker(): void {
  // A terminal's Ctrl-C and a process-group signal reach the workers too: the drain is the
  // primary's to order, so a worker waits for its message rather than dying mid-request.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined)
  const onInit = (m: unknown): void => {
    if (!isToWorker(m) || m.ramp !== 'init') return
    process.off('message', onInit)
    start(m)
  }
  process.on('message', onInit)
  send({ ramp: 'hello' })
}

function start(init: Extract<ToWorker, { ramp: 'init' }>): void {
  // JSON into the pipe the primary reads: it writes the lines on whole, pretty if its log is.
  const log = createLogger({ ...init.config.log, format: 'json' }).child({ worker: process.pid })
  const metrics = new Metrics()
  keepServingOnUncaught(log, metrics)
  const settings = new CurrentConfig(init.config)
  const agent = new SwappableAgent(createUpstreamAgent(init.config.upstream))
  const measurements = new Measurements({ retentionMs: keptMs })
  const data = createDataPlane({
    settings, log, metrics, agent, measurements, clock: systemClock, random: Math.random,
    certificates: certificatesOf(init.config),
    spec: init.spec,
    unavailable: init.unavailable,
    up: (event) => { send({ ramp: 'up', event }); return Promise.resolve() },
  })
  send({ ramp: 'applied', version: init.spec.version })
  const report = async (): Promise<void> => {
    const windows = measurements.take()
    send({ ramp: 'report', windows, metrics: await metrics.registry.getMetricsAsJSON(), health: data.healthView() })
  }
  const timer = setInterval(() => { void report() }, reportEveryMs)
  const cut = moment()
  let draining: Promise<void> | null = null
  const drain = (): Promise<void> => (draining ??= (async () => {
    const result = await data.drain(cut.reached)
    clearInterval(timer)
    await report()
    await closeAgent(agent, result.ended === 'drained' ? settings.current.drainTimeoutMs - result.ms : 0)
    send({ ramp: 'drained', report: result })
    // The disconnect ends the worker (process.exit), which drops what its stdout pipe has not taken.
    await logFlushed()
    process.disconnect()
  })())

  process.on('message', (m: unknown) => {
    if (!isToWorker(m)) return
    switch (m.ramp) {
      case 'spec':
        // Acknowledged even when older than the table in place: the primary waits for this version or a newer one.
        data.apply(m.spec)
        send({ ramp: 'applied', version: data.tables.version })
        break
      case 'reconfigure':
        settings.replace(m.config)
        log.level = m.config.log.level
        data.reconfigure(m.config, m.changed)
        // Every reload reads the certificates again, so a renewed one is picked up with an unchanged config.
        try { data.reloadTls(m.config) } catch (err) { log.error({ err }, `certificates not reloaded: ${(err as Error).message}`) }
        send({ ramp: 'reconfigured', seq: m.seq })
        break
      case 'report':
        void report()
        break
      case 'drain':
        void drain()
        break
      case 'cut':
        cut.mark()
        break
      case 'init':
        break
    }
  })
  // The primary is gone (killed): nobody will order the drain, so drain now and end.
  process.on('disconnect', () => { void drain().finally(() => process.exit(0)) })

  data.listen().then(() => {
    send({ ramp: 'listening' })
    releaseYoungGeneration()
    sweepDeadBuffers()
  }, (err: unknown) => failed(log, err))
}

function failed(log: Logger, err: unknown): void {
  const e = err as { message?: string; code?: string }
  log.error({ err }, `worker could not listen: ${e.message ?? String(err)}`)
  send({ ramp: 'failed', message: e.message ?? String(err), code: e.code }, () => process.exit(1))
}
