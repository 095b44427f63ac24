import type { Config } from '../config/load.js'
import { isRampError } from '../errors.js'
import { createLogger, type Logger } from '../log.js'
import { startRamp, type Ramp } from '../ramp.js'
import { sweepDeadBuffers } from '../buffer-sweep.js'
import { releaseYoungGeneration } from '../startup-memory.js'
import { resetStateFile } from '../state/file.js'
import { CliExit, exitCode } from './exit.js'
import { loadOrExit } from './validate.js'

export interface ServeOptions { config: string; resetState?: boolean }

/** Starts ramp and stops it cleanly on SIGTERM or SIGINT. */
export async function runUntilSignal(config: Config, log: Logger, extra: { onClose?: () => Promise<void> } = {}): Promise<Ramp> {
  let ramp: Ramp
  try {
    ramp = await startRamp(config, { log })
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, `${err.message}\nhint: ${err.hint}`)
    const code = (err as { code?: string }).code
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliExit(exitCode.usage, `cannot listen: ${(err as Error).message}`)
    throw err
  }
  releaseYoungGeneration()
  sweepDeadBuffers()
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, `received ${signal}, stopping`)
    void ramp.close().then(() => extra.onClose?.()).then(() => process.exit(0), (err: unknown) => {
      log.error({ err }, 'error while stopping')
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  return ramp
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
