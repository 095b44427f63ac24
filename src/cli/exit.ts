/** Exit statuses of every `ramp` command. */
export const exitCode = {
  ok: 0,
  /** The server refused (a verb that does not apply, a bad request) or could not be reached. */
  refused: 1,
  /** Bad usage or a bad file: nothing was done. */
  usage: 2,
  /** `serve` stopped, but its drain was cut (deadline or second signal) with requests still in flight. */
  drainCut: 3,
} as const

/** Thrown by commands to end with a message and a status; main.ts prints and exits. */
export class CliExit extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}
