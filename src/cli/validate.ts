import { loadConfigFile } from '../config/load.js'
import { isRampError } from '../errors.js'
import { certificatesOf } from '../tls/listeners.js'
import { CliExit, exitCode } from './exit.js'

/** Loads a config the way serve does; every problem on its own line, exit 2 when any. */
export function loadOrExit(path: string): ReturnType<typeof loadConfigFile> {
  try {
    return loadConfigFile(path)
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, err.message)
    throw err
  }
}

export function validateCommand(path: string, out: NodeJS.WritableStream = process.stdout): void {
  const config = loadOrExit(path)
  // The certificate files are read as serve reads them, so a file that passes here starts.
  try {
    certificatesOf(config)
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, err.message)
    throw err
  }
  for (const w of config.warnings) out.write(`warning: ${w}\n`)
  out.write(`${path}: valid (${config.mode}, stable ${config.stable.name}${config.canary === undefined ? '' : `, canary ${config.canary.name}`}${config.strategy === undefined ? '' : ', with a strategy'})\n`)
}
