import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'

/**
 * The last resort of `ramp serve`: an error that no handler caught, thrown from a callback or
 * a rejected promise nobody awaited, is logged with its stack and counted, and the process
 * keeps serving. Without it Node would exit and drop every connection of every client for
 * what is, in a proxy, almost always the fault of one request. Each such error is a bug to
 * fix where it was thrown; `ramp_uncaught_errors_total` makes them visible.
 */
export function keepServingOnUncaught(log: Logger, metrics: Metrics): void {
  const uncaught = (err: Error, origin: string): void => {
    metrics.uncaughtErrors.inc({ kind: 'uncaughtException' })
    log.error({ err, origin }, `uncaught error, ramp keeps serving: ${err.message}`)
  }
  const unhandled = (reason: unknown): void => {
    metrics.uncaughtErrors.inc({ kind: 'unhandledRejection' })
    log.error({ err: reason }, `unhandled promise rejection, ramp keeps serving: ${reason instanceof Error ? reason.message : String(reason)}`)
  }
  process.on('uncaughtException', uncaught)
  process.on('unhandledRejection', unhandled)
}
