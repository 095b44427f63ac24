import type { Config } from '../config/load.js'
import { workerCount } from '../config/workers.js'
import { isRampError } from '../errors.js'
import { keepServingOnUncaught } from '../lifecycle/last-resort.js'
import { createLogger, logFlushed, type Logger } from '../log.js'
import { startRamp, type Served } from '../ramp.js'
import { sweepDeadBuffers } from '../buffer-sweep.js'
import { releaseYoungGeneration } from '../startup-memory.js'
import { resetStateFile } from '../state/file.js'
import { CliExit, exitCode } from './exit.js'
import { loadOrExit } from './validate.js'

export interface ServeOptions { config: string; resetState?: boolean }

/**
 * Starts ramp and runs it until a signal. SIGTERM or SIGINT drains it (src/ramp.ts `close`)
 * and exits 0, or exitCode.drainCut when requests still in flight had to be cut; a second
 * one during the drain cuts at once (a person pressing Ctrl-C twice means it). SIGHUP
 * reloads the config file; the reload logs its outcome, a refused file included.
 */
export async function runUntilSignal(config: Config, log: Logger, extra: { onClose?: () => Promise<void> } = {}): Promise<Served> {
  let ramp: Served
  try {
    // One process unless the config asks for workers (`auto` on one core is one process too); their code is loaded only then.
    ramp = workerCount(config) === 1 ? await startRamp(config, { log }) : await (await import('../workers.js')).startWorkers(config, { log })
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, `${err.message}\nhint: ${err.hint}`)
    const code = (err as { code?: string }).code
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliExit(exitCode.usage, `cannot listen: ${(err as Error).message}`)
    throw err
  }
  keepServingOnUncaught(log, ramp.metrics)
  releaseYoungGeneration()
  sweepDeadBuffers()
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, `received ${signal} again while draining: cutting the connections still open and exiting`)
      ramp.cutNow()
      exitAfter(cutGraceMs, log, `the stop was not over ${cutGraceMs} ms after the second signal`)
      return
    }
    stopping = true
    log.info({ signal }, `received ${signal}, draining`)
    const deadline = ramp.config.drainTimeoutMs + closeGraceMs
    exitAfter(deadline, log, `the stop was not over ${deadline} ms after ${signal} (drainTimeoutMs + ${closeGraceMs} ms to close the store and the admin API)`)
    void ramp.close().then(async (report) => {
      await extra.onClose?.()
      await logFlushed()
      process.exit(report.connectionsCut > 0 ? exitCode.drainCut : exitCode.ok)
    }).catch(async (err: unknown) => {
      log.error({ err }, 'error while stopping')
      await logFlushed()
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGHUP', () => {
    log.info('received SIGHUP, reloading the configuration')
    // The reload logs its outcome, a refusal included.
    ramp.reload('SIGHUP').catch(() => undefined)
  })
  return ramp
}

/** Time left, after the drain's deadline, to close the driver, the store and the admin API. */
const closeGraceMs = 5000
/** Time a second signal leaves for the cut to be logged. */
const cutGraceMs = 1000

/**
 * The backstop of a stop: whatever hangs after the drain (a store that does not answer, a
 * blocked log destination) does not keep the process alive past the deadline.
 */
function exitAfter(ms: number, log: Logger, why: string): void {
  setTimeout(() => {
    log.error(`${why}: exiting now`)
    process.exit(exitCode.drainCut)
  }, ms).unref()
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  const config = loadOrExit(opts.config)
  const log = createLogger(config.log)
  log.info({ config: opts.config, mode: config.mode, stable: config.stable.name, canary: config.canary?.name ?? null }, `config loaded from ${opts.config}`)
  if (opts.resetState === true && config.state.store === 'file') {
    const moved = await resetStateFile(config.statePath, new Date())
    if (moved !== null) log.warn({ from: config.statePath, to: moved }, `state file moved aside to ${moved}`)
  }
  await runUntilSignal(config, log)
}
