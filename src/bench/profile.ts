import type { TextTable } from './scenario.js'

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

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
 * project's own files, `node` for Node's built-in modules, and V8's pseudo-frames by name
 * ("(garbage collector)", "(program)": native work outside JavaScript).
 */
export function ownerOf(frame: { functionName: string; url: string }): string {
  const { url } = frame
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (url.startsWith('node:')) return 'node'
  const at = url.lastIndexOf('/node_modules/')
  if (at === -1) return 'ramp'
  const parts = url.slice(at + '/node_modules/'.length).split('/')
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '(native)')
}

/**
 * Splits a CPU profile's busy time by owner, both as self time (which adds up) and as
 * inclusive time (how much runs under each owner's calls, callees of other owners included).
 * Idle samples (the event loop waiting) are left out.
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const timeById = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
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

/** Owners below this self and inclusive share are summed into one row. */
const minorShare = 0.005

/** The summary as a table: each owner's self and inclusive share of ramp's busy time. */
export function profileTable(name: string, summary: ProfileSummary): TextTable {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const major = summary.shares.filter((s) => s.self >= minorShare || s.inclusive >= minorShare)
  const minor = summary.shares.filter((s) => !major.includes(s))
  const rows = major.map((s) => [s.owner, pct(s.self), pct(s.inclusive)])
  if (minor.length > 0) rows.push([`${minor.length} others`, pct(minor.reduce((a, s) => a + s.self, 0)), ''])
  return {
    title: `where ramp's CPU went (${name}, ${Math.round(summary.busyMs).toLocaleString('en-US')} ms busy, idle left out): self is time in the owner's own code and adds up to 100%; inclusive counts time under its calls, callees included`,
    head: ['owner', 'self', 'inclusive'],
    rows,
  }
}
