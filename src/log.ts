import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

export interface LogOptions {
  level: LevelWithSilent
  format: 'auto' | 'json' | 'pretty'
}

/** JSON lines by default; pretty when asked, or when stdout is a terminal and format is auto. */
export function createLogger(options: LogOptions, destination?: NodeJS.WritableStream): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && destination === undefined && process.stdout.isTTY)
  if (pretty) {
    return pino({ level: options.level, base: { name: 'ramp' }, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss.l' } } })
  }
  const stream = destination ?? process.stdout
  if (!stream.listeners('error').includes(dropWriteError)) stream.on('error', dropWriteError)
  return pino({ level: options.level, base: { name: 'ramp' } }, stream)
}

/**
 * A log line that cannot be written is lost, never fatal. process.stdout emits a failed write
 * (EPIPE once the reader of a pipe is gone, as after `ramp demo | head`) as an 'error' event,
 * which without a listener is an uncaught exception; the last resort (lifecycle/last-resort.ts)
 * logged it to the same stdout, which failed again, and so on: a loop that held the CPU at
 * 100% and starved the event loop, so that a SIGTERM's drain never finished. Node's stdout
 * recovers from each error, so every later line is tried, fails and is dropped the same way.
 */
function dropWriteError(): void {}
