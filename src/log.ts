import { createRequire } from 'node:module'
import { pino, type Logger, type LevelWithSilent } from 'pino'
import type { prettyFactory } from 'pino-pretty'

export type { Logger }

export interface LogOptions {
  level: LevelWithSilent
  format: 'auto' | 'json' | 'pretty'
}

let dropped = 0

/** Log lines lost because their destination refused them (`ramp_log_lines_dropped_total`). */
export function droppedLogLines(): number {
  return dropped
}

/**
 * A log line that cannot be written is dropped and counted, never fatal: a log pipe whose
 * reader went away (`ramp demo | head`, Ctrl-C on `npm start | tee log`) fails every write
 * with EPIPE, and neither serving nor stopping may depend on it.
 *
 * Every line goes through the destination's write callback, which tells a failed write (the
 * stream's 'error' event fires only for the first). Pretty lines are formatted here, on the
 * main thread: pino's `pino-pretty` transport runs in a worker thread, and at exit pino waits
 * for that thread to write out what it holds, which with a broken pipe took 10 s of a blocked
 * process that a second signal could not end.
 */
export function createLogger(options: LogOptions, destination?: NodeJS.WritableStream): Logger {
  const out = destination ?? process.stdout
  const pretty = options.format === 'pretty' || (options.format === 'auto' && destination === undefined && process.stdout.isTTY)
  const format = pretty ? prettyLines() : (line: string): string => line
  if (!out.listeners('error').includes(ignore)) out.on('error', ignore)
  const written = (err?: Error | null): void => { if (err) dropped++ }
  return pino({ level: options.level, base: { name: 'ramp' } }, {
    write: (line: string) => {
      // A destroyed stream answers through the callback, a failing one through it too.
      if (out.writable) out.write(format(line), written)
      else dropped++
    },
  })
}

/** Loaded only when asked for: pino-pretty is not needed by a JSON log. */
function prettyLines(): (line: string) => string {
  const { prettyFactory: factory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof prettyFactory }
  return factory({ colorize: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss.l' })
}

/** The failed write is counted by its callback; the event is only kept from being uncaught. */
function ignore(): void {}
