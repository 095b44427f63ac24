import { PassThrough } from 'node:stream'
import type { LevelWithSilent } from 'pino'
import { createLogger, type Logger } from '../../../src/log.js'

/** One of ramp's JSON log lines. */
export type LogLine = Record<string, unknown> & { level: number; msg: string; time: number }

export interface AccessLine { status: number; url: string; method: string; listener: string; version: string; backend: string | null; completed: boolean; ms: number; reason: string }

/** ramp's JSON log lines in `text`, skipping anything that is not one (a pretty line, a stack). */
export function logLines(text: string): LogLine[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine)
}

const isAccess = (l: LogLine): boolean => l.msg === 'access' && l.access !== undefined

export function accessLines(lines: readonly LogLine[]): AccessLine[] {
  return lines.filter(isAccess).map((l) => l.access as AccessLine)
}

/** An access line of a ramp with workers, and the pid of the worker that served the request. */
export type WorkerAccessLine = AccessLine & { worker: number }

/** The access lines with the pid each worker's log lines carry as `worker`. */
export function workerAccessLines(lines: readonly LogLine[]): WorkerAccessLine[] {
  return lines.filter(isAccess).map((l) => ({ ...(l.access as AccessLine), worker: l.worker as number }))
}

/** A JSON logger at `level` for a ramp in this process, and what it wrote so far. */
export function captureLog(level: LevelWithSilent): { log: Logger; text: () => string } {
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => { text += c.toString() })
  return { log: createLogger({ level, format: 'json' }, out), text: () => text }
}
