import type { TextTable } from './scenario.js'

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[]
  /** Microseconds on the monotonic clock when profiling started; each time delta is from the sample before. */
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** The loads a profiled process served: their responses, and when each ran (monotonic microseconds). */
export interface Loads { requests: number; windows: { fromUs: number; toUs: number }[] }

/** One owner of code (a package, ramp itself, Node's own modules, V8's pseudo-frames) and its share of the busy samples. */
export interface ProfileShare {
  owner: string
  /** Share of busy time spent in this owner's own frames. The self shares sum to 1. */
  self: number
  /** Share of busy time with at least one of this owner's frames on the stack (overlaps). */
  inclusive: number
}

export interface ProfileSummary {
  /** Milliseconds sampled while the process was not idle. */
  busyMs: number
  shares: ProfileShare[]
}

/**
 * Who owns a frame: the package a file under node_modules belongs to, `ramp` for the
 * project's own files, `node` for Node's built-in modules, `(wasm)` for WebAssembly (here,
 * undici's llhttp parser), `(eval)` for code without a file, and V8's pseudo-frames by name
 * ("(garbage collector)", "(program)": native work outside JavaScript).
 */
export function ownerOf(frame: { functionName: string; url: string }): string {
  const { url } = frame
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (url.startsWith('node:')) return 'node'
  if (url.startsWith('wasm:')) return '(wasm)'
  if (!url.startsWith('file:')) return '(eval)'
  const at = url.lastIndexOf('/node_modules/')
  if (at === -1) return 'ramp'
  const parts = url.slice(at + '/node_modules/'.length).split('/')
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '(native)')
}

/**
 * Splits a CPU profile's busy time by owner, both as self time (which adds up) and as
 * inclusive time (how much runs under each owner's calls, callees of other owners included).
 * Idle samples (the event loop waiting) are left out, and so is every sample outside
 * `windows` when given (start-up, the pauses between loads).
 */
export function summarizeProfile(profile: CpuProfile, windows?: Loads['windows']): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const timeById = new Map<number, number>()
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    at += dt
    if (windows !== undefined && !windows.some((w) => at >= w.fromUs && at <= w.toUs)) continue
    const id = profile.samples[i] as number
    timeById.set(id, (timeById.get(id) ?? 0) + dt)
  }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let busy = 0
  for (const [id, t] of timeById) {
    const node = byId.get(id)
    if (node === undefined || node.callFrame.functionName === '(idle)') continue
    busy += t
    const owner = ownerOf(node.callFrame)
    self.set(owner, (self.get(owner) ?? 0) + t)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame
      if (frame === undefined || frame.functionName === '(root)') continue
      const o = ownerOf(frame)
      if (seen.has(o)) continue
      seen.add(o)
      inclusive.set(o, (inclusive.get(o) ?? 0) + t)
    }
  }
  const shares = [...inclusive.keys()].map((owner) => ({
    owner,
    self: busy === 0 ? 0 : (self.get(owner) ?? 0) / busy,
    inclusive: busy === 0 ? 0 : (inclusive.get(owner) ?? 0) / busy,
  })).sort((a, b) => b.self - a.self)
  return { busyMs: busy / 1000, shares }
}

/** A profiled process: its name, the summary of its profile, and the responses it served. */
export interface ProfiledProcess { name: string; requests: number; summary: ProfileSummary }

/** Owners that take less than this many microseconds a request in every process are summed into one row. */
const minorUs = 1

/**
 * The profiles side by side as CPU microseconds a request (busy time while the process was
 * under load, over the responses it served then, warm-ups included), split by owner: where
 * one proxy spends more than another, and in whose code.
 */
export function compareTable(processes: ProfiledProcess[]): TextTable {
  const us = (p: ProfiledProcess, share: number): number => (p.requests === 0 ? 0 : share * p.summary.busyMs * 1000 / p.requests)
  const owners = [...new Set(processes.flatMap((p) => p.summary.shares.map((s) => s.owner)))]
  const cost = (p: ProfiledProcess, owner: string): number => us(p, p.summary.shares.find((s) => s.owner === owner)?.self ?? 0)
  const major = owners.filter((o) => processes.some((p) => cost(p, o) >= minorUs))
    .sort((a, b) => Math.max(...processes.map((p) => cost(p, b))) - Math.max(...processes.map((p) => cost(p, a))))
  const minor = owners.filter((o) => !major.includes(o))
  const f = (x: number): string => x.toFixed(1)
  const rows = major.map((o) => [o, ...processes.map((p) => f(cost(p, o)))])
  if (minor.length > 0) rows.push([`${minor.length} others`, ...processes.map((p) => f(minor.reduce((a, o) => a + cost(p, o), 0)))])
  rows.push(['all', ...processes.map((p) => f(us(p, 1)))])
  return {
    title: 'CPU microseconds per request by owner, while under load (node --cpu-prof, self time: each row is time in that owner\'s own code; idle left out)',
    head: ['owner', ...processes.map((p) => `${p.name} (${p.requests.toLocaleString('en-US')} requests)`)],
    rows,
  }
}
