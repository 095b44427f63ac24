import { readFileSync } from 'node:fs'

/** A process's resident set (VmRSS of /proc/<pid>/status) in bytes; null off Linux or once it is gone. */
export function residentBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? null : Number(m[1]) * 1024
  } catch {
    return null
  }
}

/** The cores a process may run on (Cpus_allowed_list of /proc/<pid>/status, a taskset list); null off Linux or once it is gone. */
export function allowedCores(pid: number): string | null {
  try {
    return /^Cpus_allowed_list:\s+(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}
