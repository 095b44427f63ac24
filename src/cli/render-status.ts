import type { rolloutView } from '../admin/views.js'
import { formatDuration } from '../config/duration.js'
import { describeStep, phaseIcons as icons, timeLeft as left, verdictMarks as marks } from '../rollout/words.js'

export type RolloutView = ReturnType<typeof rolloutView>

/**
 * Draws a rollout the way `kubectl argo rollouts get rollout` does: phase and message, the
 * versions with their share, the step list with the current step marked, and what the
 * rollout waits for with the time left.
 */
export function renderStatus(v: RolloutView, now: number = Date.now()): string {
  const out: string[] = []
  const pad = (k: string): string => `${k}:`.padEnd(16)
  out.push(`${pad('Status')}${icons[v.phase] ?? ''} ${v.phase} (${v.reason})`)
  out.push(`${pad('Message')}${v.message}`)
  out.push(`${pad('Strategy')}${v.strategy.type === 'canary' ? 'Canary' : 'BlueGreen'}${v.attempt > 1 ? ` (attempt ${v.attempt})` : ''}`)
  if (v.strategy.type === 'canary' && v.stepCount > 0 && v.step >= 0) out.push(`${pad('  Step')}${Math.min(v.step + 1, v.stepCount)}/${v.stepCount}`)
  out.push(`${pad('  SetWeight')}${v.desiredWeight}`)
  out.push(`${pad('  ActualWeight')}${v.weight}`)
  const waits: string[] = []
  if (v.pauseUntil !== null) waits.push(`pause until ${v.pauseUntil.slice(11, 19)}Z (${left(v.pauseUntil, now)})`)
  if (v.progressDeadlineAt !== null) waits.push(`ready by ${v.progressDeadlineAt.slice(11, 19)}Z (${left(v.progressDeadlineAt, now)})`)
  if (v.scaleDownAt !== null) waits.push(`${v.previousStable?.name ?? v.routing.stable} kept until ${v.scaleDownAt.slice(11, 19)}Z (${left(v.scaleDownAt, now)}) for an instant abort`)
  if (waits.length > 0) out.push(`${pad('Waiting')}${waits.join('; ')}`)
  out.push('')
  out.push('Versions:')
  const stableShare = 100 - v.weight
  out.push(`  ${v.stable.name.padEnd(12)} stable  ${`${stableShare}%`.padStart(7)}  ${v.stable.backends.join(' ')}`)
  if (v.canary !== null) {
    const ready = v.canaryReady ? '' : '  (not ready)'
    out.push(`  ${v.canary.name.padEnd(12)} canary  ${`${v.weight}%`.padStart(7)}  ${v.canary.backends.join(' ')}${ready}`)
  }
  out.push(...renderHealth(v))
  if (v.steps.length > 0) {
    out.push('')
    out.push('Steps:')
    for (const s of v.steps) {
      const mark = s.done || (v.phase === 'Healthy' && v.reason === 'Promoted') ? '✔' : s.current ? '▶' : ' '
      const note = s.current && v.phase === 'Paused' ? `   <- ${v.reason}${v.pauseUntil !== null && v.reason === 'TimedPause' ? `, ${left(v.pauseUntil, now)}` : ''}` : ''
      out.push(`  ${mark} ${String(s.index + 1).padStart(2)}. ${describeStep(s.step)}${note}`)
    }
  }
  if (v.routing.routes.length > 0 || v.routing.mirror !== null) {
    out.push('')
    out.push('Routes:')
    for (const r of v.routing.routes) out.push(`  ${r.name.padEnd(12)} -> ${v.canary?.name ?? 'canary'}  (${r.match.length} condition${r.match.length === 1 ? '' : 's'}, made by a step)`)
    if (v.routing.mirror !== null) out.push(`  mirror ${v.routing.mirror.name}: ${v.routing.mirror.percentage}% of ${v.routing.mirror.match.length === 0 ? 'all' : 'matching'} requests copied to ${v.canary?.name ?? 'the canary'}`)
  }
  out.push(...renderAnalysis(v))
  if (v.stateVsConfig.length > 0) {
    out.push('')
    out.push('State vs config (the stored state won at start):')
    for (const d of v.stateVsConfig) out.push(`  ${d.field.padEnd(10)} config: ${d.config}`, `  ${''.padEnd(10)} state:  ${d.state}`)
    out.push('  to start from the config: restart with `ramp serve --reset-state`, or deploy/abort/set-weight')
  }
  out.push(...renderFleet(v, now))
  out.push('')
  out.push(`${pad('Allowed')}${v.allowed.join(', ') || 'none'}`)
  return out.join('\n')
}

type BackendHealth = RolloutView['health']['versions'][number]['backends'][number]

function describeBackend(b: BackendHealth): string {
  if (b.state === 'unhealthy') return `unhealthy (${b.lastCheck?.detail ?? 'failed its checks'})`
  if (b.state === 'ejected') return `ejected until ${b.ejectedUntil?.slice(11, 19) ?? '?'}Z`
  return `slow start ${Math.round((b.slowStart ?? 1) * 100)}%`
}

/** One line per version that has a backend out or slow-starting, and panic mode; nothing when all is well. */
function renderHealth(v: RolloutView): string[] {
  const hurt = v.health.versions.filter((x) => x.backends.some((b) => b.state !== 'healthy'))
  if (hurt.length === 0 && !v.health.panic) return []
  const out = ['', v.health.panic ? 'Health:         panic: no version has an available backend, traffic goes by weight to every backend' : 'Health:']
  for (const x of hurt) {
    const notes = x.backends.filter((b) => b.state !== 'healthy').map((b) => `${b.url} ${describeBackend(b)}`)
    out.push(`  ${x.name.padEnd(12)} ${x.available}/${x.backends.length} available  ${notes.join(', ')}`)
  }
  return out
}

/** The run in progress with the last measurement of each metric, and the last verdict. */
function renderAnalysis(v: RolloutView): string[] {
  const a = v.analysis
  const runs = a.current.length > 0 ? a.current : []
  if (runs.length === 0 && a.lastVerdict === null) return []
  const out = ['', 'Analysis:']
  for (const run of runs) {
    out.push(`  ${marks[run.phase] ?? ' '} ${run.id} (${run.kind}, ${run.listener} listener) ${run.phase}`)
    for (const t of run.templates) {
      for (const [metric, list] of Object.entries(t.measurements)) {
        const last = list.at(-1)
        if (last === undefined) continue
        out.push(`      ${marks[last.phase] ?? ' '} ${t.name}/${metric}: ${last.message} (${list.length} measured)`)
      }
    }
  }
  if (a.lastVerdict !== null) out.push(`  last verdict: ${a.lastVerdict.result} (${a.lastVerdict.kind}): ${a.lastVerdict.message}`)
  return out
}

/** A fleet's store and instances: who leads, who was last heard from when. */
function renderFleet(v: RolloutView, now: number): string[] {
  const f = v.fleet
  if (f === undefined) return []
  const out = ['', `Fleet:          ${f.store.description}${f.store.error === null ? '' : `  UNREACHABLE: ${f.store.error}`}`]
  for (const i of f.instances) {
    const seen = Math.max(0, now - Date.parse(i.lastSeen))
    const role = i.leader ? 'leader' : i.gone ? 'gone' : ''
    out.push(`  ${i.name === f.instance ? '*' : ' '} ${i.name.padEnd(20)} ${role.padEnd(7)} ${i.address}  seen ${formatDuration(seen)} ago`)
  }
  return out
}
