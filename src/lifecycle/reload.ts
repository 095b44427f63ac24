import type { Server } from 'node:http'
import { planReload, touches, versionChanges, type ReloadPlan, type ReloadReport } from '../config/changes.js'
import type { CurrentConfig } from '../config/current.js'
import { loadConfigFile, type Config } from '../config/load.js'
import { isRampError, rampError } from '../errors.js'
import type { Logger } from '../log.js'
import { applyClientLimits } from '../proxy/client-limits.js'
import type { RolloutDriver } from '../rollout/driver.js'

export interface ReloadDeps {
  config: CurrentConfig
  driver: RolloutDriver
  log: Logger
  env: NodeJS.ProcessEnv
  /** True once shutdown began: a reload then is refused. */
  draining: () => boolean
  /**
   * Re-reads every TLS listener's certificate and key (on every reload, so a renewed
   * certificate is picked up with an unchanged config). Throwing refuses the reload before
   * anything else changed.
   */
  certificates: (config: Config) => Promise<void>
  /** The config's static shaping changed: the control plane sends the same table again with it. */
  reshape: () => Promise<void>
  /** The admin API's server once it exists: it takes the client limits as the data listeners do. */
  admin: () => Server | null
  /** The data-plane part of what changed (client limits, health, the upstream agent), on every data plane. */
  dataPlanes: (config: Config, changed: readonly string[]) => Promise<void>
}

export type Reload = (actor: string) => Promise<ReloadReport>

const rolloutNote = 'reload does not start or change rollouts: the rollout keeps its versions, weight and strategy; use the admin API or the CLI (`ramp deploy`, `promote`, `set-weight`, `abort`)'
const shaping = ['overrides', 'routes', 'stickiness', 'balance', 'mirror', 'limits']

/**
 * Re-reads the file the process started with, checks it as `ramp serve` does, and applies
 * what changed without dropping a connection. An invalid file changes nothing. Reloads run
 * one at a time, in the order they were asked for.
 */
export function createReloader(deps: ReloadDeps): Reload {
  let queue: Promise<unknown> = Promise.resolve()
  return (actor) => {
    const run = queue.then(() => reload(deps, actor)).catch((err: unknown) => {
      const source = deps.config.current.source
      if (isRampError(err) && (err.code === 'RAMP_ERR_CONFIG_INVALID' || err.code === 'RAMP_ERR_CONFIG_READ')) {
        const problems = (err.details?.problems as string[] | undefined) ?? [err.message]
        deps.log.error({ reload: { source, actor, problems } }, `reload refused, the running configuration stays in force: ${problems.join('; ')}`)
      } else {
        // Past the checks (the store refused a write, a certificate would not load): what was
        // applied before the failure stays, and the engine's history shows it.
        deps.log.error({ err, reload: { source, actor } }, `reload failed: ${(err as Error).message}`)
      }
      throw err
    })
    queue = run.catch(() => undefined)
    return run
  }
}

async function reload(deps: ReloadDeps, actor: string): Promise<ReloadReport> {
  const { log } = deps
  if (deps.draining()) throw rampError('RAMP_ERR_DRAINING', 'ramp is draining to stop; the configuration was not reloaded')
  const running = deps.config.current
  const source = running.source
  if (source === null) throw rampError('RAMP_ERR_RELOAD_NO_SOURCE', 'this ramp runs a configuration that came from no file; there is nothing to reload')

  const next = loadConfigFile(source, deps.env)
  const plan = planReload(running, next, { health: true, certificates: true })
  await deps.certificates(plan.effective)
  const report: ReloadReport = {
    source,
    changed: [],
    needsRestart: plan.restart,
    notApplied: plan.rollout.map((field) => ({ field, message: rolloutNote })),
    warnings: next.warnings,
  }
  report.changed.push(...await applyVersions(deps, running, next, actor, report))
  deps.config.replace(plan.effective)
  await applyLive(deps, plan)
  report.changed.push(...plan.live)

  const summary = [
    `changed: ${report.changed.length === 0 ? 'nothing' : report.changed.join(', ')}`,
    ...(report.needsRestart.length === 0 ? [] : [`needs a restart: ${report.needsRestart.join(', ')}`]),
    ...(report.notApplied.length === 0 ? [] : [`not applied: ${report.notApplied.map((n) => n.field).join(', ')} (${report.notApplied.map((n) => n.message).join('; ')})`]),
  ].join('; ')
  const level = report.needsRestart.length > 0 || report.notApplied.length > 0 ? 'warn' : 'info'
  log[level]({ reload: { ...report, actor } }, `configuration reloaded from ${source}: ${summary}`)
  return report
}

/** The running versions' new backends, through the engine (persisted, then republished). */
async function applyVersions(deps: ReloadDeps, running: Config, next: Config, actor: string, report: ReloadReport): Promise<string[]> {
  const { updates, notApplied } = versionChanges(running, next, deps.driver.state)
  report.notApplied.push(...notApplied)
  const applied: string[] = []
  for (const u of updates) {
    try {
      await deps.driver.dispatch({ type: 'setBackends', version: u.version, backends: u.backends, actor })
      applied.push(u.field)
    } catch (err) {
      // The rollout moved on between the plan and the event (an abort, a new rollout).
      if (!isRampError(err) || err.code !== 'RAMP_ERR_ROLLOUT_UNKNOWN_VERSION') throw err
      report.notApplied.push({ field: u.field, message: `${err.message}; ${rolloutNote}` })
    }
  }
  return applied
}

/** Everything else that changed; none of it can fail. */
async function applyLive(deps: ReloadDeps, plan: ReloadPlan): Promise<void> {
  const config = plan.effective
  const changed = plan.live
  if (touches(changed, 'log.level')) deps.log.level = config.log.level
  if (touches(changed, ...shaping)) await deps.reshape()
  const admin = deps.admin()
  if (admin !== null && touches(changed, 'clients')) applyClientLimits(admin, config.clients)
  await deps.dataPlanes(config, changed)
  // Read from `config.current` where they are used, so there is nothing to do for them here:
  // log.access, preserveHost, versionHeader, readiness, retry, drainTimeoutMs.
}
