import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/** `--cpus proxy=0,load=1`: the cores each role's processes may run on (`taskset -c` lists). */
export interface Pinning {
  /** ramp, and the other proxies the overhead scenario compares it with. */
  proxy: string | null
  /** This process: autocannon runs in it. */
  load: string | null
  /** The demo backends' process. */
  backends: string | null
}

export const unpinned: Pinning = { proxy: null, load: null, backends: null }

/**
 * Parses `proxy=0,load=1` (a role's cores may be a taskset list: `backends=2-3`, `load=1:3`
 * for 1 and 3). A child inherits the affinity of the process that starts it, and this one
 * (the load) is pinned first: so once anything is pinned, the roles not named get every core
 * explicitly rather than the load's.
 */
export function parsePinning(spec: string): Pinning | string {
  const out: Pinning = { ...unpinned }
  const cores = availableParallelism()
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(proxy|load|backends)=([0-9:-]+)$/.exec(part)
    if (m === null) return `--cpus ${spec}: "${part}" is not proxy=<cores>, load=<cores> or backends=<cores>`
    const list = m[2]!.replaceAll(':', ',')
    const high = Math.max(...list.split(/[,-]/).map(Number))
    if (high >= cores) return `--cpus ${spec}: core ${high} does not exist (this machine has ${cores}, numbered 0 to ${cores - 1})`
    out[m[1] as keyof Pinning] = list
  }
  if (Object.values(out).every((v) => v === null)) return out
  const all = cores === 1 ? '0' : `0-${cores - 1}`
  return { proxy: out.proxy ?? all, load: out.load ?? all, backends: out.backends ?? all }
}

/** Pins every thread of this process (autocannon's, libuv's, V8's) to `cores`. */
export function pinSelf(cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' })
}
