import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { TestContext } from 'node:test'

/** The installed entry point over the build (`npm test` builds first), so spawned tests run what users run. */
export const rampBin = new URL('../../../bin/ramp.js', import.meta.url).pathname

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** How it exited, once its stdout and stderr are read to the end ('close': 'exit' may come before the last chunk). */
  exit: Promise<Exit>
  /** Resolves with the first stdout line matching `re` (JSON log lines are whole lines). */
  line(re: RegExp, timeoutMs?: number): Promise<string>
}

/**
 * Runs the built `ramp` with `args`, its environment only PATH and `env`. After the test it
 * is killed if still running; `t` null leaves that to the caller.
 */
export function spawnRamp(t: TestContext | null, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  // Run as a program, as users do, so its launcher line (bin/ramp.js) applies.
  return spawnProgram(t, rampBin, args, env)
}

/** As spawnRamp, for ramp started by another program (an installed copy, under `unshare`). */
export function spawnProgram(t: TestContext | null, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(file, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  const exit = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })))
  t?.after(() => { if (running(child)) child.kill('SIGKILL') })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    line(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = out.split('\n').find((l) => re.test(l))
          if (hit === undefined) return false
          clearTimeout(timer)
          child.stdout?.off('data', onData)
          resolve(hit)
          return true
        }
        const onData = (): void => { check() }
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs)
        if (!check()) child.stdout?.on('data', onData)
        void exit.then(() => { if (!check()) { clearTimeout(timer); reject(new Error(`ramp exited before printing ${re}; stdout:\n${out}\nstderr:\n${err}`)) } })
      })
    },
  }
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null

export interface Urls { main: string; preview: string | null; admin: string }

/** Listener URLs from ramp's "ramp listening" log line. */
export async function listening(s: Spawned): Promise<Urls> {
  const line = await s.line(/"ramp listening/)
  return (JSON.parse(line) as { listen: Urls }).listen
}

/**
 * SIGTERM, then the exit. A drain that has not ended after `graceMs` (a test that left a
 * request hanging on purpose) is ended with SIGKILL, so a teardown never hangs the suite.
 */
export async function terminate(s: Spawned, graceMs = 10_000): Promise<Exit> {
  if (running(s.child)) s.child.kill('SIGTERM')
  const timer = setTimeout(() => { if (running(s.child)) s.child.kill('SIGKILL') }, graceMs)
  try {
    return await s.exit
  } finally {
    clearTimeout(timer)
  }
}

/** The crash some tests are about: no handler runs, nothing is flushed. */
export async function kill9(s: Spawned): Promise<Exit> {
  s.child.kill('SIGKILL')
  return s.exit
}

/** Peak resident memory of a process in bytes (Linux VmHWM). */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no VmHWM for pid ${pid}`)
  return Number(m[1]) * 1024
}
