import { exitCode } from './exit.js'

/**
 * A reader that stops reading early (`ramp bench --list | head -1`, `ramp status --json | true`)
 * ends the command quietly, exit 0, as SIGPIPE ends a C program in a pipeline: what is left
 * to print has nobody to read it. Unhandled, the EPIPE was an 'error' event that printed a
 * stack trace. Returns what undoes it, for the commands whose stdout is their log (`serve`,
 * `demo`): they keep serving when the log's reader goes (src/log.ts).
 */
export function endOnClosedStdout(): () => void {
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') process.exit(exitCode.ok)
    process.stderr.write(`ramp: cannot write to stdout: ${err.message}\n`)
    process.exit(exitCode.refused)
  }
  process.stdout.on('error', onError)
  return () => { process.stdout.off('error', onError) }
}
