import { parse, stringify } from 'yaml'

/** The release most tests run: v1 stable, v2 (when given) the canary, and what else they need. */
export interface Release {
  /** v1's backends. */
  v1: string | readonly string[]
  /** v2's backends: the canary from the config at boot. Without it a test deploys, or there is no rollout. */
  v2?: string | readonly string[]
  weight?: number
  preview?: boolean
  /** The `strategy:` block, as YAML text (as a person writes it) or as data. */
  strategy?: string | Record<string, unknown>
  /** Or only the canary steps, one YAML line each (`pause: { duration: 4s }`). */
  steps?: readonly string[]
  /** Readiness probes every this many ms, so a canary joins fast; 20 unless given, null leaves the block out. */
  readinessMs?: number | null
  /** More top-level keys: YAML text as it is, or data written one key a line. */
  more?: string | Record<string, unknown>
}

/** Active health checks every 50 ms: a backend is out after 2 failures, back after 2 passes. */
export const quickChecks = 'healthCheck: { enabled: true, intervalMs: 50, timeoutMs: 200, unhealthyThreshold: 2, healthyThreshold: 2 }'

const list = (urls: string | readonly string[]): string => JSON.stringify(typeof urls === 'string' ? [urls] : urls)

/** The config of a release, as YAML. Listeners are the world's to settle (see `settle`). */
export function release(r: Release): string {
  const block = r.steps === undefined ? r.strategy : `canary:\n  steps:\n${r.steps.map((s) => `    - ${s}`).join('\n')}`
  const strategy = block === undefined ? [] : typeof block === 'string' ? [`strategy:\n${block.replace(/^/gm, '  ')}`] : [`strategy: ${JSON.stringify(block)}`]
  const more = r.more === undefined ? [] : typeof r.more === 'string' ? [r.more] : Object.entries(r.more).map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
  return [
    `stable: { name: v1, backends: ${list(r.v1)} }`,
    ...(r.v2 === undefined ? [] : [`canary: { name: v2, backends: ${list(r.v2)} }`]),
    ...(r.weight === undefined ? [] : [`weight: ${r.weight}`]),
    ...(r.preview === true ? ['preview: { port: 0 }'] : []),
    ...(r.readinessMs === null ? [] : [`readiness: { intervalMs: ${r.readinessMs ?? 20} }`]),
    ...strategy,
    ...more,
  ].join('\n') + '\n'
}

export interface Settling {
  /** ramp runs as a process: it must log JSON (the world reads its listeners from a line) and keep its state in a file. */
  process: boolean
  /** Written as `workers: N` when above 1. */
  workers: number
  /** `log.level`, when the world was asked for one. */
  logLevel?: string
}

type Tree = Record<string, unknown>

const onLoopback = (listener: unknown): Tree => ({ host: '127.0.0.1', port: 0, ...(listener as Tree | undefined) })

/**
 * The config as the world runs it: every listener on 127.0.0.1 and a port the kernel picks
 * unless the test names them (a test of a port change does), the admin listener too. A
 * process logs JSON and keeps its state in `state.json` beside the config unless the test
 * chose a store; `workers: N` is written only above 1, so one process is today's config.
 */
export function settle(yaml: string, how: Settling): string {
  const tree = parse(yaml) as Tree
  tree.listen = onLoopback(tree.listen)
  tree.admin = onLoopback(tree.admin)
  if (tree.preview !== undefined) tree.preview = onLoopback(tree.preview)
  if (how.logLevel !== undefined) tree.log = { ...(tree.log as Tree | undefined), level: how.logLevel }
  if (how.process) {
    tree.log = { ...(tree.log as Tree | undefined), format: 'json' }
    tree.state ??= { store: 'file', path: 'state.json' }
  }
  if (how.workers > 1) tree.workers = how.workers
  return stringify(tree)
}
