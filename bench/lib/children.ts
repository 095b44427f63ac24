import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The repository root, so children resolve dist/ and node_modules/ wherever the bench is started from. */
export const root = fileURLToPath(new URL('../../', import.meta.url))

export interface Child {
  readonly name: string
  readonly proc: ChildProcess
  /** Resolves with the first JSON stdout line `pick` accepts. */
  jsonLine<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs?: number): Promise<T>
}

const live = new Set<ChildProcess>()
const exitHooks: (() => void)[] = []

/** Runs `fn` (synchronous) when the bench exits, also through Ctrl-C, which skips `finally` blocks. */
export function onExit(fn: () => void): void { exitHooks.push(fn) }

// Kill synchronously on any exit path (an uncaught error included): a leftover proxy or
// backend would hold its port and skew the next run's numbers.
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL')
  for (const fn of exitHooks) fn()
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping child processes\n`)
    void stopAll().finally(() => process.exit(130))
  })
}

/**
 * Starts `node <args>` in the repository root. stdin stays an open pipe: the bench's own
 * helpers exit when it closes, so they die with the bench even if it is SIGKILLed. ramp
 * does not watch its stdin; only the exit and signal handlers above stop it.
 */
export function spawnNode(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] })
  live.add(proc)
  proc.once('exit', () => live.delete(proc))
  let stderr = ''
  proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000) })
  // Every line is read to the end of the run: a pipe nobody drains would block the child's
  // synchronous stdout writes and stall it mid-measurement.
  const lines = createInterface({ input: proc.stdout })
  const seen: string[] = []
  lines.on('line', (l) => { if (seen.length < 50) seen.push(l) })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))

  return {
    name,
    proc,
    jsonLine<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs = 15_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const fail = (why: string): void => {
          cleanup()
          reject(new Error(`${name}: ${why}\nstdout:\n${seen.join('\n')}\nstderr:\n${stderr}`))
        }
        const onLine = (l: string): void => {
          let obj: unknown
          try { obj = JSON.parse(l) } catch { return }
          if (obj === null || typeof obj !== 'object') return
          const hit = pick(obj as Record<string, unknown>)
          if (hit !== undefined) { cleanup(); resolve(hit) }
        }
        const timer = setTimeout(() => fail(`no expected line within ${timeoutMs} ms`), timeoutMs)
        const cleanup = (): void => { clearTimeout(timer); lines.off('line', onLine) }
        lines.on('line', onLine)
        void exited.then(() => fail(`exited (code ${proc.exitCode}, signal ${proc.signalCode}) before it was ready`))
      })
    },
  }
}

/** SIGTERM every child still running, SIGKILL those that have not exited after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve()
    const timer = setTimeout(() => { p.kill('SIGKILL') }, graceMs)
    p.once('exit', () => { clearTimeout(timer); resolve() })
    p.kill('SIGTERM')
  })))
}
