import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

/** The installed entry point over the build (`npm test` builds first), so spawned tests run what users run. */
export const rampBin = new URL('../../bin/ramp.js', import.meta.url).pathname

export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first stdout line matching `re` (JSON log lines are whole lines). */
  line(re: RegExp, timeoutMs?: number): Promise<string>
}

export function spawnRamp(t: TestContext | null, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  // Run as a program, as users do, so its launcher line (bin/ramp.js) applies.
  const child = spawn(rampBin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  t?.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
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

/** Listener URLs from ramp's "ramp listening" log line. */
export async function listening(s: Spawned): Promise<{ main: string; preview: string | null; admin: string }> {
  const line = await s.line(/"ramp listening/)
  return (JSON.parse(line) as { listen: { main: string; preview: string | null; admin: string } }).listen
}

/** Peak resident memory of a process in bytes (Linux VmHWM). */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no VmHWM for pid ${pid}`)
  return Number(m[1]) * 1024
}

/** A config file in a fresh folder, rewritten by `write`; the folder goes when the test ends. */
export function configFile(t: TestContext, yaml: string): { path: string; write(yaml: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'ramp.yaml')
  writeFileSync(path, yaml)
  return { path, write: (text) => writeFileSync(path, text) }
}

/** Loopback listeners on free ports, a memory store, JSON logs (`log` adds to them): the opening of a spawned ramp's config. */
export function opening(log = ''): string {
  return `listen: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0 }\nstate: { store: memory }\nlog: { format: json${log === '' ? '' : `, ${log}`} }\n`
}

export interface Served {
  proc: Spawned
  urls: { main: string; preview: string | null; admin: string }
}

/** `ramp serve -c <config file>` as a program, once it listens. */
export async function serve(t: TestContext, config: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const proc = spawnRamp(t, ['serve', '-c', config], env)
  return { proc, urls: await listening(proc) }
}

/** Resident memory of a process now, in bytes (Linux VmRSS). */
export function currentRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) * 1024
}
