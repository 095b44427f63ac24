import type { Logger } from '../log.js'
import type { ListenerDrain } from '../proxy/drain.js'
import type { SwappableAgent } from '../proxy/swappable-agent.js'

/** What a drain did, for the log line that ends it and the exit status. */
export interface DrainReport {
  ms: number
  /** Requests in flight when the drain started. */
  inFlightAtStart: number
  /** Responses that ended complete during the drain. */
  completed: number
  /** Requests still in flight when the drain was cut. */
  cut: number
  /** Connections closed by the cut: those of the requests cut, and upgraded ones (WebSocket). */
  connectionsCut: number
  /** `drained`: every connection closed by itself; `deadline`: drainTimeoutMs passed; `signal`: a second signal cut it short. */
  ended: 'drained' | 'deadline' | 'signal'
}

export interface DrainOptions {
  timeoutMs: number
  log: Logger
  /** Resolves when a second signal asks to cut now rather than at the deadline. */
  cutNow: Promise<void>
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Drains every data-plane listener at once (see ListenerDrain) until they are all closed, the
 * deadline passes, or a second signal comes; then cuts what is left. The deadline is wall-clock
 * time, not the rollout clock: it bounds how long the process waits for sockets.
 */
export async function drainListeners(drains: readonly ListenerDrain[], opts: DrainOptions): Promise<DrainReport> {
  const started = Date.now()
  const inFlightAtStart = drains.reduce((n, d) => n + d.inFlight, 0)
  opts.log.info({ drain: { inFlight: inFlightAtStart, listeners: drains.map((d) => d.name), timeoutMs: opts.timeoutMs } },
    `drain started: ${plural(inFlightAtStart, 'request')} in flight; /readyz answers 503, new connections are refused, keep-alive clients get connection: close; deadline in ${opts.timeoutMs} ms`)
  const drained = Promise.all(drains.map((d) => d.drain()))
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'deadline'>((resolve) => { timer = setTimeout(() => resolve('deadline'), opts.timeoutMs) })
  const ended = await Promise.race([drained.then(() => 'drained' as const), deadline, opts.cutNow.then(() => 'signal' as const)])
  clearTimeout(timer)
  const cuts = ended === 'drained' ? [] : drains.map((d) => d.cut())
  await drained
  const cut = cuts.reduce((n, c) => n + c.requests, 0)
  const connectionsCut = cuts.reduce((n, c) => n + c.connections, 0)
  const report: DrainReport = { ms: Date.now() - started, inFlightAtStart, completed: drains.reduce((n, d) => n + d.completedDuringDrain, 0), cut, connectionsCut, ended }
  if (connectionsCut > 0) {
    const why = ended === 'deadline' ? `the drain deadline of ${opts.timeoutMs} ms passed` : 'a second signal cut the drain short'
    opts.log.warn({ drain: report }, `${why}: cut ${plural(cut, 'request')} still in flight (${plural(connectionsCut, 'connection')}), after ${plural(report.completed, 'request')} completed`)
  } else {
    opts.log.info({ drain: report }, `drain finished in ${report.ms} ms: ${plural(report.completed, 'request')} completed, none cut`)
  }
  return report
}

/**
 * After the drain only mirrored copies and a last readiness probe can still be upstream: they
 * may finish within what is left of the drain's time. ramp stops waiting for them after that
 * (the process exits, and they with it); undici cannot cut an agent it was asked to close, so
 * a drain that was cut, or has no time left, cuts them at once instead.
 */
export async function closeAgent(agent: SwappableAgent, leftMs: number): Promise<void> {
  if (leftMs <= 0) return agent.destroy()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, leftMs) })
  await Promise.race([agent.close(), late])
  clearTimeout(timer)
}
