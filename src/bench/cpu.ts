import { readFileSync } from 'node:fs'
import { treeTicks } from './process-tree.js'

// Both /proc/stat and /proc/<pid>/stat count in USER_HZ ticks, so their deltas compare directly.

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total }
}

export interface CpuUse {
  /** Cores (1 = one core for the whole window) used by the watched process and its descendants together. */
  bench: number
  /** Cores used by everything else on the machine: other people's work competing for the cores. */
  others: number
}

/**
 * Starts counting CPU time on Linux; `stop()` answers how many cores the process tree of
 * `root` (ramp's primary and its workers; the bench and every child it started) and
 * everything else used meanwhile, or null where /proc is missing.
 */
export function cpuWindow(root: number, cores: number): { stop(): CpuUse | null } {
  let start: { m: ReturnType<typeof machineTicks>; p: number } | null = null
  try {
    start = { m: machineTicks(), p: treeTicks(root) }
  } catch {
    start = null
  }
  return {
    stop() {
      if (start === null) return null
      const m = machineTicks()
      const p = treeTicks(root)
      const window = (m.total - start.m.total) / cores
      if (window <= 0) return null
      const bench = (p - start.p) / window
      return { bench, others: Math.max(0, (m.busy - start.m.busy) / window - bench) }
    },
  }
}

/**
 * CPU milliseconds a process's main thread has used (Linux; null elsewhere or once it is
 * gone): its event loop's share alone, without libuv's thread pool, which works off the loop.
 */
export function mainThreadCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // USER_HZ is 100 on every Linux Node runs on.
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return null
  }
}
