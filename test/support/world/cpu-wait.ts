import { readFileSync } from 'node:fs'

/**
 * Milliseconds the main thread of `pid` has spent runnable but waiting for a CPU (Linux
 * /proc/<pid>/schedstat, second field: run-queue delay in ns): what a process loses to other
 * work on a machine whose cores are taken, as opposed to time it spent busy or idle.
 */
export function cpuWaitMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')
  return Number(fields[1]) / 1e6
}

/**
 * Times `run`, and how much of that time process `pid` did not spend waiting for a CPU: at
 * least the time its event loop was busy, so a loop held by work still counts in full while a
 * machine that gave the process no core does not.
 */
export async function timedOwn<T>(pid: number, run: () => Promise<T>): Promise<{ value: T; ms: number; ownMs: number }> {
  const waited = cpuWaitMs(pid)
  const start = performance.now()
  const value = await run()
  const ms = performance.now() - start
  return { value, ms, ownMs: ms - (cpuWaitMs(pid) - waited) }
}
