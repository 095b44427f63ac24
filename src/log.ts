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
  return pino({ level: options.level, base: { name: 'ramp' } }, destination ?? process.stdout)
}
