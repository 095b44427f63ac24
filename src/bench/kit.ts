import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin } from './admin.js'
import { backendSpec, type BackendSpec } from './backend-spec.js'
import { onExit, root, spawnChild, spawnHelper, type Child } from './children.js'
import { mainThreadCpuMs } from './cpu.js'
import { allowedCores, residentBytes } from './proc-status.js'
import { processTree } from './process-tree.js'
import { runGrpcLoad, type GrpcLoadSpec, type GrpcRun } from './grpc-load.js'
import { runLoad, type LoadRun, type LoadSpec } from './load.js'
import type { BenchOptions } from './options.js'
import type { Progress } from './progress.js'
import { Sampler } from './sampler.js'
import type { Loads } from './profile.js'
import type { Backends, Kit, RampProcess, Scenario, Served } from './scenario.js'
import type { RampReading } from './timeline.js'

/** What the kit needs of the run's options. */
export type KitOptions = Omit<BenchOptions, 'scenario' | 'out' | 'profile'> & {
  /** Where ramp writes its CPU profiles (`node --cpu-prof`); null: not profiled. */
  profileDir: string | null
}

/** The fixed part of every ramp config the bench writes: loopback, ephemeral ports, no access log. */
const rampBase = (h2c: boolean): string => `
listen: { host: 127.0.0.1, port: 0${h2c ? ', http2: true' : ''} }
admin: { host: 127.0.0.1, port: 0 }
log: { level: info, access: false, format: json }
state: { store: memory }
`

interface Listen { main: string; admin: string }

/**
 * Microseconds on the clock V8 stamps CPU profiles with: both it and `process.hrtime` read
 * CLOCK_MONOTONIC on Linux, so a child's profile can be cut to the time it was under load.
 */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

/** The kit of one bench run; `runs` holds every load run in order, for the report. */
export class BenchKit implements Kit {
  readonly runs: LoadRun[] = []
  /** With --profile: each profiled process's profile file (in the profile dir) and pid. */
  readonly profiles: { file: string; pid: number }[] = []
  /** By pid of the process serving them: the responses of this kit's loads, warm-ups included, and when those loads ran. */
  readonly loads = new Map<number, Loads>()
  readonly target: RampProcess | null
  private readonly children: Child[] = []
  private dir: string | null = null

  constructor(private readonly opts: KitOptions, private readonly scenario: Scenario, private readonly progress: Progress) {
    const t = opts.target
    this.target = t === null ? null : { main: t.main, admin: new Admin(t.admin), pid: null, stop: () => Promise.resolve() }
  }

  get duration(): number { return this.opts.duration }
  get connections(): number { return this.opts.connections ?? this.scenario.connections ?? 100 }
  get requests(): number | null { return this.opts.requests }
  get direct(): string | null { return this.opts.direct }
  get workers(): number | null { return this.opts.workers }
  warmup(fallback: number): number { return this.opts.warmup ?? fallback }

  say(line: string): void { this.progress.say(line) }

  backendSpec(name: string): BackendSpec {
    return backendSpec(name, this.opts.backendFlags, this.scenario.backends?.[name])
  }

  async backends(names: string[]): Promise<Backends> {
    if (this.target !== null) throw new Error('this scenario starts its own demo backends, which --target cannot give it')
    const specs = names.map((n) => this.backendSpec(n))
    const child = this.track(spawnHelper('backends', 'backends', [JSON.stringify(specs)], this.opts.cpus.backends))
    const urls = await child.jsonLine((l) => l.backends as Record<string, string> | undefined)
    for (const s of specs) this.say(`backend ${s.name}: ${urls[s.name]} (latency ${s.latency}, ${s.bytes === null ? 'small JSON body' : `${s.bytes} B body`}, error rate ${s.errorRate})`)
    return {
      urls,
      pid: child.pid,
      counts: async () => {
        const entries = await Promise.all(Object.entries(urls).map(async ([name, url]) => {
          const res = await fetch(`${url}/__count`)
          return [name, (await res.json() as { traffic: number }).traffic] as const
        }))
        return Object.fromEntries(entries)
      },
    }
  }

  async ramp(yaml: string, opts: { h2c?: boolean } = {}): Promise<RampProcess> {
    if (this.target !== null) return this.target
    this.dir ??= this.tempDir()
    const configPath = join(this.dir, `ramp-${this.children.length}.yaml`)
    writeFileSync(configPath, `${rampBase(opts.h2c === true)}${yaml}`)
    // Without RAMP_* variables, so a token or override in the caller's shell cannot change the setup.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RAMP_')))
    // Run as a program, as users do, so that bin/ramp.js's launcher line applies.
    const entry = process.env.RAMP_BENCH_ENTRY
    if (entry === undefined && !existsSync(join(root, 'dist/bundle/main.js'))) throw new Error('dist/bundle/main.js is missing: run `npm run build` first')
    const launcher = join(root, 'bin/ramp.js')
    // Node refuses --cpu-prof in NODE_OPTIONS, so a profiled ramp is started by node itself,
    // with the variables the launcher's line would have set.
    const profileName = `ramp${opts.h2c === true ? '-h2c' : ''}-${this.children.length}`
    const profiling = this.profiling(profileName)
    const [command, args] = entry !== undefined ? [process.execPath, [...profiling, entry]]
      : profiling.length > 0 ? [process.execPath, [...profiling, launcher]]
        : [launcher, []]
    // A profiled ramp runs from dist/'s modules rather than the bundle (bin/ramp.js), so that
    // its profile can tell the packages apart by file (profile.ts).
    const child = this.track(spawnChild('ramp', command, [...args, 'serve', '-c', configPath], { cores: this.opts.cpus.proxy, env: profiling.length > 0 ? { ...env, RAMP_UNBUNDLED: '1' } : env }))
    if (profiling.length > 0) this.profiled(profileName, child)
    const listen = await child.jsonLine((l) => l.listen as Listen | undefined)
    // ramp logs that line once every worker listens, so its tree is complete here.
    const tree = processTree(child.pid)
    if (tree.length > 1) this.say(`ramp runs as ${tree.length} processes (a primary and its workers), each allowed on cores (pid: cores) ${tree.map((p) => `${p}: ${allowedCores(p) ?? 'unknown'}`).join(', ')}`)
    return { main: listen.main, admin: new Admin(listen.admin, undefined), pid: child.pid, stop: () => child.stop() }
  }

  async plainProxy(upstream: string): Promise<Served> {
    return this.helperProxy('plain proxy', 'plain-proxy', upstream)
  }

  async ceilingProxy(upstream: string): Promise<Served> {
    return this.helperProxy('ceiling proxy', 'ceiling-proxy', upstream)
  }

  async grpcBackend(): Promise<Served> {
    const child = this.track(spawnHelper('gRPC backend', 'grpc-backend', [], this.opts.cpus.backends))
    const url = await child.jsonLine((l) => (typeof l.url === 'string' ? l.url : undefined))
    return { url, pid: child.pid }
  }

  async grpcLoad(spec: GrpcLoadSpec & { pid: number | null }): Promise<GrpcRun> {
    this.say(`${spec.label}: ${spec.concurrency} calls in flight, ${spec.warmup} s warm-up, ${spec.duration} s measured`)
    const from = monotonicUs()
    const run = await runGrpcLoad(spec, spec.pid === null ? null : { target: spec.pid, bench: process.pid })
    if (spec.pid !== null) this.served(spec.pid, run.calls + run.warmupCalls, from)
    return run
  }

  async bareServer(): Promise<Served> {
    const child = this.track(spawnHelper('bare server', 'bare-server', [], this.opts.cpus.proxy))
    const url = await child.jsonLine((l) => (typeof l.url === 'string' ? l.url : undefined))
    return { url, pid: child.pid }
  }

  async load(spec: LoadSpec & { ramp?: RampProcess; pid?: number | null }): Promise<LoadRun> {
    const sampler = spec.ramp === undefined ? null : new Sampler(spec.ramp.admin)
    sampler?.start()
    const pid = spec.pid ?? spec.ramp?.pid ?? null
    let run: LoadRun
    const from = monotonicUs()
    try {
      run = await runLoad(spec, { sampler, watch: pid === null ? null : { target: pid, bench: process.pid }, progress: this.progress })
    } finally {
      sampler?.stop()
    }
    if (spec.ramp !== undefined) {
      const end = run.startedAt + run.seconds * 1000
      for (const e of await spec.ramp.admin.events()) {
        const at = Date.parse(e.at)
        if (at >= run.startedAt && at <= end) run.marks.push({ t: (at - run.startedAt) / 1000, label: `${e.event}: ${e.detail}`, source: 'ramp' })
      }
      run.marks.sort((a, b) => a.t - b.t)
    }
    if (pid !== null) this.served(pid, run.requests + Object.values(run.warmupVersions).reduce((a, b) => a + b, 0), from)
    this.runs.push(run)
    return run
  }

  /** Notes that `pid` served `n` responses (or calls) from `fromUs` until now, for its profile. */
  private served(pid: number, n: number, fromUs: number): void {
    const load = this.loads.get(pid) ?? { requests: 0, windows: [] }
    load.requests += n
    load.windows.push({ fromUs, toUs: monotonicUs() })
    this.loads.set(pid, load)
  }

  reading(ramp: RampProcess): Promise<RampReading> {
    return Sampler.read(ramp.admin)
  }

  mainThreadCpuMs(pid: number): number | null {
    return mainThreadCpuMs(pid)
  }

  residentBytes(pid: number): number | null {
    return residentBytes(pid)
  }

  /** With --profile: the node flags that profile a process into `<name>.cpuprofile`. */
  private profiling(name: string): string[] {
    const dir = this.opts.profileDir
    return dir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`]
  }

  /** With --profile: notes which process writes `<name>.cpuprofile`. */
  private profiled(name: string, child: Child): void {
    if (this.opts.profileDir !== null) this.profiles.push({ file: `${name}.cpuprofile`, pid: child.pid })
  }

  private async helperProxy(name: string, file: string, upstream: string): Promise<Served> {
    const profiling = this.profiling(file)
    const child = this.track(spawnHelper(name, file, [upstream], this.opts.cpus.proxy, profiling))
    this.profiled(file, child)
    const url = await child.jsonLine((l) => (typeof l.url === 'string' ? l.url : undefined))
    return { url, pid: child.pid }
  }

  private track(child: Child): Child {
    this.children.push(child)
    return child
  }

  private tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ramp-bench-'))
    onExit(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  /** Stops every process this kit started. */
  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop()))
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true })
  }
}
