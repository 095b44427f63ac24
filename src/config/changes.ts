import type { Config } from './load.js'
import { isMapping } from './is-mapping.js'

/**
 * How a changed field takes effect on a reload:
 * - `live`: at once, for the next request (or the next probe, connection, drain);
 * - `restart`: not without a restart (a bound port, the admin token, the state store, what
 *   the analysis runner was built from); it keeps its running value until then;
 * - `versions`: the running versions' backends, through the rollout engine;
 * - `rollout`: not applied, since the rollout state moves only through the API and CLI;
 * - `health`, `certificates`: live when that part is plugged into the reload, else `restart`;
 * - `derived`: computed from other fields, never reported.
 */
export type Applies = 'live' | 'restart' | 'versions' | 'rollout' | 'health' | 'certificates' | 'derived'

/** By field path; the first rule whose path is the field or one of its parents wins. */
export const reloadRules: ReadonlyArray<readonly [string, Applies]> = [
  ['weightBp', 'derived'], ['statePath', 'derived'], ['source', 'derived'], ['warnings', 'derived'],
  ['stable', 'versions'], ['canary', 'versions'],
  ['weight', 'rollout'], ['mode', 'rollout'], ['strategy', 'rollout'], ['progressDeadlineSeconds', 'rollout'], ['progressDeadlineAbort', 'rollout'],
  ['listen.tls.cert', 'certificates'], ['listen.tls.key', 'certificates'],
  ['preview.tls.cert', 'certificates'], ['preview.tls.key', 'certificates'],
  ['admin.tls.cert', 'certificates'], ['admin.tls.key', 'certificates'],
  ['listen', 'restart'], ['preview', 'restart'], ['admin', 'restart'], ['state', 'restart'],
  ['name', 'restart'], ['workers', 'restart'], ['analysis', 'restart'], ['webhooks', 'restart'], ['log.format', 'restart'], ['clients.maxHeaderBytes', 'restart'],
  ['healthCheck', 'health'], ['outlier', 'health'],
  ['upstream', 'live'], ['overrides', 'live'], ['routes', 'live'], ['stickiness', 'live'], ['balance', 'live'], ['mirror', 'live'], ['limits', 'live'],
  ['log', 'live'], ['clients', 'live'], ['retry', 'live'], ['grpc', 'live'], ['readiness', 'live'], ['preserveHost', 'live'], ['versionHeader', 'live'], ['drainTimeoutMs', 'live'],
]

/** `path` is `prefix` or a field inside it (`clients.maxConnections` is under `clients`, `clientsX` is not). */
export const isUnder = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`)

/** Some changed path is under one of `prefixes`. */
export const touches = (paths: readonly string[], ...prefixes: string[]): boolean => paths.some((p) => prefixes.some((prefix) => isUnder(p, prefix)))

export function appliesTo(path: string): Applies {
  for (const [prefix, applies] of reloadRules) if (isUnder(path, prefix)) return applies
  // A field no rule names yet is not claimed to be applied.
  return 'restart'
}


/**
 * The paths where two configs differ: down through objects present on both sides, a whole
 * array or a value otherwise (`routes`, `stable.backends`, `listen.port`, `preview` when one
 * side has none).
 */
export function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (isMapping(a) && isMapping(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    return keys.flatMap((k) => changedPaths(a[k], b[k], path === '' ? k : `${path}.${k}`))
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path]
}

export interface ReloadPlan {
  /** Fields applied now, besides the running versions' backends. */
  live: string[]
  /** Fields that keep their running value until a restart. */
  restart: string[]
  /** Fields of the rollout (`stable`, `canary`, `weight`, `strategy`, ...) that differ. */
  rollout: string[]
  /** The paths under `stable` and `canary` that differ. */
  versions: string[]
  /** Health-check or outlier fields that differ, applied by the health part. */
  health: string[]
  /** The config to put in force: the new one, with every `restart` field at its running value. */
  effective: Config
}

/** Which part of the reload path is plugged in; an unplugged part's fields need a restart. */
export interface Plugged {
  health: boolean
  certificates: boolean
}

export function planReload(running: Config, next: Config, plugged: Plugged): ReloadPlan {
  const plan: ReloadPlan = { live: [], restart: [], rollout: [], versions: [], health: [], effective: structuredClone(next) }
  for (const path of changedPaths(running, next)) {
    const applies = appliesTo(path)
    if (applies === 'derived') continue
    if (applies === 'versions') plan.versions.push(path)
    else if (applies === 'rollout') plan.rollout.push(path)
    else if (applies === 'live' || (applies === 'certificates' && plugged.certificates)) plan.live.push(path)
    else if (applies === 'health' && plugged.health) { plan.live.push(path); plan.health.push(path) }
    else {
      plan.restart.push(path)
      setPath(plan.effective, path, valueAt(running, path))
    }
  }
  // The state file is where the running store writes.
  plan.effective.statePath = running.statePath
  return plan
}

function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isMapping(node) ? node[key] : undefined), root)
}

/** `path` comes from changedPaths, so every parent of it is an object on both sides. */
function setPath(root: object, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop() as string
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, root as Record<string, unknown>)
  if (value === undefined) delete parent[last]
  else parent[last] = structuredClone(value)
}

interface RunningVersion { name: string; backends: readonly string[] }

export interface VersionChanges {
  /** Running versions whose backends the file changed: one engine event each. */
  updates: Array<{ field: string; version: string; backends: string[] }>
  /** What the file changed about versions that a reload does not do, and what to use instead. */
  notApplied: Array<{ field: string; message: string }>
}

/**
 * What a reload does with the file's `stable` and `canary`. A version is matched to the
 * running one of the same name, whatever its role: after a promotion the file's canary is the
 * running stable. A new list for a running version is applied; a name that is not running is
 * a new rollout (or the end of one), which is the API's and the CLI's job.
 */
export function versionChanges(running: Config, next: Config, state: { stable: RunningVersion; canary: RunningVersion | null }): VersionChanges {
  const out: VersionChanges = { updates: [], notApplied: [] }
  const runningNames = [state.stable.name, ...(state.canary === null ? [] : [state.canary.name])]
  for (const role of ['stable', 'canary'] as const) {
    const was = running[role]
    const now = next[role]
    if (JSON.stringify(was) === JSON.stringify(now)) continue
    if (now === undefined) {
      out.notApplied.push({ field: role, message: `the file names no ${role} any more; reload does not end rollouts: use \`ramp abort\` or \`ramp promote\`` })
      continue
    }
    const live = state.stable.name === now.name ? state.stable : state.canary?.name === now.name ? state.canary : null
    if (live === null) {
      out.notApplied.push({ field: role, message: `${now.name} is not a running version (running: ${runningNames.join(', ')}); reload does not start or change rollouts: use \`ramp deploy\` or POST /api/v1/rollout` })
      continue
    }
    const same = live.backends.length === now.backends.length && live.backends.every((b, i) => b === now.backends[i])
    if (!same) out.updates.push({ field: `${role}.backends`, version: now.name, backends: [...now.backends] })
  }
  return out
}

/** What a successful reload answers (POST /api/v1/reload, `ramp reload`) and logs. */
export interface ReloadReport {
  /** The file that was read. */
  source: string
  /** Fields applied, by path (`stable.backends`, `routes`, `upstream.headersTimeoutMs`). */
  changed: string[]
  /** Fields that differ but keep their running value until ramp restarts. */
  needsRestart: string[]
  /** Fields that differ and that a reload does not apply, each with what to do instead. */
  notApplied: Array<{ field: string; message: string }>
  /** What the loader accepted but ignored (Argo fields), as `ramp validate` prints them. */
  warnings: string[]
}
