import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The package root (from src/bench/ and from dist/bench/ alike), where bin/ and node_modules/ are. */
export const root = fileURLToPath(new URL('../../', import.meta.url))

/** Run from the TypeScript sources (`npm run bench`) rather than from dist/ (`ramp bench`). */
export const fromSource = import.meta.url.endsWith('.ts')

export interface Child {
  readonly name: string
  readonly proc: ChildProcess
  readonly pid: number
  /** Resolves with the first JSON stdout line `pick` accepts. */
  jsonLine<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs?: number): Promise<T>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>
}

const live = new Set<ChildProcess>()
const exitHooks: (() => void)[] = []

/** Runs `fn` (synchronous) when the bench exits, also through Ctrl-C, which skips `finally` blocks. */
export function onExit(fn: () => void): void { exitHooks.push(fn) }

let watching = false
/**
 * Kill synchronously on any exit path (an uncaught error included): a leftover proxy or
 * backend would hold its port and skew the next run's numbers. Installed by the first
 * spawn, so that loading the module (as `ramp --help` does) changes nothing.
 */
function watchExit(): void {
  if (watching) return
  watching = true
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
}

/** Where to pin a child: a `taskset -c` core list, or null for anywhere. */
export type Cores = string | null

/**
 * Starts a program. stdin stays an open pipe: the bench's own helpers exit when it closes,
 * so they die with the bench even if it is SIGKILLed. ramp does not watch its stdin; only
 * the exit and signal handlers above stop it.
 */
export function spawnChild(name: string, command: string, args: string[], opts: { cores?: Cores; env?: NodeJS.ProcessEnv } = {}): Child {
  watchExit()
  const [file, argv] = opts.cores === null || opts.cores === undefined ? [command, args] : ['taskset', ['-c', opts.cores, command, ...args]]
  const proc = spawn(file, argv, { cwd: root, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
  live.add(proc)
  proc.once('exit', () => live.delete(proc))
  proc.on('error', () => { /* reported through the exit below and jsonLine's message */ })
  proc.stdin?.on('error', () => { /* the child is gone; its exit is what counts */ })
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
    pid: proc.pid ?? 0,
    jsonLine<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs = 20_000): Promise<T> {
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
    stop: (graceMs = 3000) => stopOne(proc, graceMs),
  }
}

/**
 * One of the bench's own helpers (dist/bench/children/<file>.js), run by this Node. Like
 * ramp, they always run from the build, also when the harness runs from its sources: every
 * process under load is what a user would run, and none pays for compiling TypeScript.
 */
export function spawnHelper(name: string, file: string, args: string[], cores: Cores = null, nodeFlags: string[] = []): Child {
  const script = join(root, 'dist/bench/children', `${file}.js`)
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`)
  return spawnChild(name, process.execPath, [...nodeFlags, script, ...args], { cores })
}

function stopOne(p: ChildProcess, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve()
    const timer = setTimeout(() => { p.kill('SIGKILL') }, graceMs)
    p.once('exit', () => { clearTimeout(timer); resolve() })
    p.kill('SIGTERM')
  })
}

/** SIGTERM every child still running, SIGKILL those that have not exited after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((p) => stopOne(p, graceMs)))
}
