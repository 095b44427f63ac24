import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import type { TestContext } from 'node:test'
import { waitFor } from './eventually.js'
import { workerAccessLines, type LogLine, type WorkerAccessLine } from './logs.js'
import type { Spawned } from './process.js'

/**
 * The worker processes of a ramp run with `workers: N`, seen from outside as an operator
 * would: pids and sockets from Linux /proc, signals, and the access lines each worker logs.
 */
export interface Cluster {
  /** The workers' pids: the primary's children. */
  pids(): number[]
  /** SIGKILL of worker `pid`; resolves with the pid of the one that takes its place, once it serves. */
  kill9(pid: number): Promise<number>
  /** SIGSTOP of worker `pid`: it holds its connections and answers nothing, nor the primary, until the returned SIGCONT (sent after the test at the latest). */
  sigstop(pid: number): () => void
  /** The client connections worker `pid` holds open on the main listener. */
  connections(pid: number): number
  /** ramp's access lines so far, each naming the worker that served the request. */
  access(): WorkerAccessLine[]
  /** The workers that served, once `n` access lines are in (a worker logs a request as its response ends). */
  workersThatServed(n: number): Promise<Set<number>>
}

export function cluster(t: TestContext, primary: Spawned, mainUrl: string, logs: () => LogLine[]): Cluster {
  const pid = primary.child.pid ?? 0
  const pids = (): number[] => readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((s) => s !== '').map(Number))
  const port = Number(new URL(mainUrl).port)
  return {
    pids,
    async kill9(victim) {
      const before = pids()
      process.kill(victim, 'SIGKILL')
      let next = 0
      await waitFor('a new worker', () => {
        next = pids().find((p) => !before.includes(p)) ?? 0
        return next !== 0
      })
      await primary.line(new RegExp(`\\(pid ${next}\\) serving`))
      return next
    },
    sigstop(stopped) {
      process.kill(stopped, 'SIGSTOP')
      t.after(() => { try { process.kill(stopped, 'SIGCONT') } catch { /* it ended with ramp */ } })
      return () => { process.kill(stopped, 'SIGCONT') }
    },
    connections: (worker) => connectionsOn(worker, port),
    access: () => workerAccessLines(logs()),
    async workersThatServed(n) {
      await waitFor(`${n} access lines`, () => workerAccessLines(logs()).length >= n)
      return new Set(workerAccessLines(logs()).map((a) => a.worker))
    },
  }
}

/** The established TCP connections to local `port` among the sockets process `pid` holds open. */
function connectionsOn(pid: number, port: number): number {
  const inodes = new Set(readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((s) => s !== undefined)
    } catch {
      return [] // closed since the listing
    }
  }))
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1).filter((line) => {
    const f = line.trim().split(/\s+/)
    return f[1]?.endsWith(local) === true && f[3] === '01' && inodes.has(f[9] ?? '')
  }).length
}
