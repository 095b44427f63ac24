import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino, type Logger, type LevelWithSilent } from 'pino'
import type { prettyFactory } from 'pino-pretty'

export type { Logger }

export interface LogOptions {
  level: LevelWithSilent
  format: 'auto' | 'json' | 'pretty'
}

/**
 * Bytes of log lines a destination may hold unwritten before further lines are dropped: a
 * burst of several thousand access lines, far past the 64 KiB a pipe holds itself.
 */
export const logBufferBytes = 1024 * 1024

let dropped = 0

/** Log lines lost because their destination refused them or fell behind (`ramp_log_lines_dropped_total`). */
export function droppedLogLines(): number {
  return dropped
}

/**
 * A log line that cannot be written is dropped and counted, never fatal: a log pipe whose
 * reader went away (`ramp demo | head`, Ctrl-C on `npm start | tee log`) fails every write
 * with EPIPE, and neither serving nor stopping may depend on it.
 *
 * A pipe whose reader stays but does not read does not block the event loop (Node writes to
 * a pipe without blocking, libuv queues what the pipe does not take), it grows that queue
 * without bound instead, one access line per request: past `logBufferBytes` unwritten, lines
 * are dropped and counted, and once the queue has drained one warning says how many.
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
  const lines = lineSink(out, pretty ? prettyLines() : null, (n) => {
    log.warn({ droppedLines: n }, `${n} log lines dropped: the log's reader fell ${logBufferBytes} bytes behind; see ramp_log_lines_dropped_total`)
  })
  const log = pino({ level: options.level, base: { name: 'ramp' } }, { write: (line: string) => { lines.write(line, 1) } })
  sinks.set(log, lines)
  return log
}

/** Whole log lines into a logger's destination, under the same bound as its own lines. */
export interface LineSink {
  /** `text` is one or more lines, each ending in a newline. */
  write(text: string | Buffer, lines: number): void
  /** Counts lines lost before they reached the sink. */
  drop(lines: number): void
}

const sinks = new WeakMap<Logger, LineSink>()

/** Where a logger made by createLogger writes: a primary writes its workers' lines there too. */
export function sinkOf(log: Logger): LineSink {
  const sink = sinks.get(log)
  if (sink === undefined) throw new Error('sinkOf: this logger was not made by createLogger')
  return sink
}

function lineSink(out: NodeJS.WritableStream, format: ((line: string) => string) | null, caughtUp: (dropped: number) => void): LineSink {
  if (!out.listeners('error').includes(ignore)) out.on('error', ignore)
  let behind = 0
  const drop = (n: number): void => { dropped += n }
  const written = (n: number) => (err?: Error | null): void => { if (err) drop(n) }
  const warn = (): void => {
    const n = behind
    behind = 0
    caughtUp(n)
  }
  return {
    drop,
    write: (text, lines) => {
      // A destroyed stream answers through the callback, a failing one through it too.
      if (!out.writable) return drop(lines)
      const formatted = format === null ? text : formatLines(format, text, lines)
      if (pending(out) + formatted.length > logBufferBytes) {
        drop(lines)
        // Above the stream's high-water mark, so its 'drain' is due once the reader reads.
        if (behind === 0) out.once('drain', warn)
        behind += lines
      } else {
        out.write(formatted, written(lines))
      }
    },
  }
}

/** Each of `lines` lines of `text` through `format` (pretty printing formats one line at a time). */
function formatLines(format: (line: string) => string, text: string | Buffer, lines: number): string {
  const s = text.toString()
  if (lines === 1) return format(s)
  return s.split('\n').slice(0, lines).map((line) => format(`${line}\n`)).join('')
}

/** How long a stop waits for the log's reader to take the lines still held. */
const flushWaitMs = 2000

/**
 * Resolves once the log destination wrote out what it holds, or after `ms`: a stop waits for
 * the last lines when the reader reads (process.exit, which ends ramp and each worker, drops
 * what a pipe has not taken), and not for ever when it does not.
 */
export async function logFlushed(ms = flushWaitMs, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  // Polled: 'drain' comes only after a write that went past the stream's high-water mark.
  const until = performance.now() + ms
  while (out.writable && pending(out) > 0 && performance.now() < until) await sleep(10)
}

/** Bytes written to a stream and not yet taken by what is behind it (0 for a synchronous one: a file, a terminal). */
const pending = (s: NodeJS.WritableStream): number => (s as { writableLength?: number }).writableLength ?? 0

/** Loaded only when asked for: pino-pretty is not needed by a JSON log. */
function prettyLines(): (line: string) => string {
  const { prettyFactory: factory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof prettyFactory }
  return factory({ colorize: true, ignore: 'pid,hostname,name', translateTime: 'HH:MM:ss.l' })
}

/** The failed write is counted by its callback; the event is only kept from being uncaught. */
function ignore(): void {}
