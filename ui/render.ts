import { describeStep, phaseIcons, timeLeft, verdictMarks } from '../src/rollout/words.js'
import { byId, clock, el, fill, percent } from './dom.js'
import type { HistoryView, RolloutView } from './types.js'

const healthWords: Record<string, [string, string]> = {
  healthy: ['✔', 'healthy'],
  unhealthy: ['✖', 'unhealthy'],
  ejected: ['⊘', 'ejected'],
  slowStart: ['◔', 'slow start'],
}

/** The phase, strategy, versions and what the rollout waits for. `served`: each version's share of main traffic over the last seconds. */
export function renderRelease(v: RolloutView, now: number, served: Record<string, number | null>): void {
  const phase = byId('phase')
  phase.dataset.phase = v.phase
  fill(phase.querySelector('.icon') as HTMLElement, phaseIcons[v.phase] ?? '')
  fill(phase.querySelector('.word') as HTMLElement, v.phase)
  fill(phase.querySelector('.reason') as HTMLElement, `(${v.reason})`)
  fill(byId('message'), v.message)
  const strategy = v.strategy.type === 'canary' ? 'canary' : 'blue/green'
  const step = v.strategy.type === 'canary' && v.stepCount > 0 && v.step >= 0 ? `${Math.min(v.step + 1, v.stepCount)} of ${v.stepCount}` : '–'
  fill(byId('facts'),
    el('dt', {}, 'Strategy'), el('dd', {}, `${strategy}${v.attempt > 1 ? ` (attempt ${v.attempt})` : ''}`),
    el('dt', {}, 'Step'), el('dd', {}, step),
    el('dt', {}, 'Weight asked'), el('dd', { id: 'weight-asked' }, `${v.desiredWeight}%`),
    el('dt', {}, 'Weight routed'), el('dd', { id: 'weight-routed' }, `${v.weight}%`))
  const row = (name: string, role: string, weight: number, backends: string[], note: string) => el('li', { 'data-version': name },
    el('strong', {}, name), ` ${role} · weight ${weight}% · served ${percent(served[name] ?? null)} (last 10 s)${note}`,
    el('br'), el('small', {}, backends.join(' ')))
  fill(byId('versions'),
    row(v.stable.name, 'stable', 100 - v.weight, v.stable.backends, ''),
    v.canary === null ? null : row(v.canary.name, 'canary', v.weight, v.canary.backends, v.canaryReady ? '' : ' · not ready yet'))
  renderWaits(v, now)
}

/** The countdowns: a timed pause or auto-promotion, the readiness deadline, the scale-down delay. */
export function renderWaits(v: RolloutView, now: number): void {
  const waits: string[] = []
  if (v.pauseUntil !== null) waits.push(`${v.reason === 'BlueGreenPause' ? 'auto-promotion' : 'pause ends'} at ${clock(Date.parse(v.pauseUntil))}: ${timeLeft(v.pauseUntil, now)}`)
  if (v.progressDeadlineAt !== null) waits.push(`${v.canary?.name ?? 'the canary'} must be ready by ${clock(Date.parse(v.progressDeadlineAt))}: ${timeLeft(v.progressDeadlineAt, now)}`)
  if (v.scaleDownAt !== null) waits.push(`${v.routing.stable === v.stable.name && v.previousStable !== null ? v.previousStable.name : 'the old version'} scales down at ${clock(Date.parse(v.scaleDownAt))}: ${timeLeft(v.scaleDownAt, now)}`)
  fill(byId('waits'), ...waits.map((w) => el('span', { class: 'wait' }, `⏱ ${w}`)))
}

export function renderSteps(v: RolloutView): void {
  const finished = v.phase === 'Healthy' && v.reason === 'Promoted'
  fill(byId('steps'), ...(v.steps.length === 0
    ? [el('li', { class: 'none' }, v.strategy.type === 'canary' ? 'no steps' : 'blue/green: preview, then flip')]
    : v.steps.map((s) => {
      const stopped = v.phase === 'Aborted'
      const state = s.done || finished ? 'done' : s.current ? (stopped ? 'aborted here' : 'current') : 'to come'
      return el('li', { 'data-state': state, ...(s.current && !finished && !stopped ? { 'aria-current': 'step' } : {}) },
        el('span', { class: 'mark', 'aria-hidden': 'true' }, state === 'done' ? '✔' : state === 'current' ? '▶' : state === 'aborted here' ? '✖' : '·'),
        ` ${describeStep(s.step)} `, el('span', { class: 'state' }, `(${state}${s.current && v.phase === 'Paused' ? `: ${v.reason}` : ''})`))
    })))
}

const rangeWords = (r: { min?: number; max?: number }): string =>
  r.min !== undefined && r.max !== undefined ? `from ${r.min} to ${r.max}` : r.min !== undefined ? `≥ ${r.min}` : r.max !== undefined ? `≤ ${r.max}` : 'any'

export function renderAnalysis(v: RolloutView): void {
  const runs = [...v.analysis.current, ...v.analysis.last.filter((r) => !v.analysis.current.some((c) => c.id === r.id))]
  if (runs.length === 0) {
    fill(byId('runs'), el('p', { class: 'none' }, v.analysis.lastVerdict === null ? 'no analysis run yet' : `last verdict: ${v.analysis.lastVerdict.result}: ${v.analysis.lastVerdict.message}`))
    return
  }
  fill(byId('runs'), ...runs.map((run) => el('article', { class: 'run', 'data-phase': run.phase },
    el('h3', {}, `${verdictMarks[run.phase] ?? ''} ${run.id} `, el('span', { class: 'state' }, `${run.phase} · ${run.kind}, ${run.listener} listener`)),
    run.message === '' ? null : el('p', {}, run.message),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'metric'), el('th', {}, 'value'), el('th', {}, 'range'), el('th', {}, 'verdict'), el('th', {}, 'why'))),
      el('tbody', {}, ...run.templates.flatMap((t) => Object.entries(t.measurements).flatMap(([metric, list]) => list.slice(-3).reverse().map((m) =>
        el('tr', {}, el('td', {}, `${t.name}/${metric}`), el('td', {}, m.value === null ? '–' : String(Number(m.value.toPrecision(4)))),
          el('td', {}, rangeWords(m.range)), el('td', {}, `${verdictMarks[m.phase] ?? ''} ${m.phase}`), el('td', {}, m.message))))))))))
}

export function renderHealth(v: RolloutView): void {
  const versions = v.health.versions
  fill(byId('health'),
    v.health.panic ? el('p', { class: 'warn' }, '⚠ panic: no version has an available backend; traffic goes by weight to every backend') : null,
    ...(versions.length === 0 ? [el('p', { class: 'none' }, 'no health known yet')] : versions.map((x) => el('article', { 'data-version': x.name },
      el('h3', {}, `${x.name} `, el('span', { class: 'state' }, `${x.available} of ${x.backends.length} available`)),
      el('ul', { class: 'backends' }, ...x.backends.map((b) => {
        const [icon, word] = healthWords[b.state] ?? ['?', b.state]
        const notes = [
          b.slowStart === null ? null : `slow start ${Math.round(b.slowStart * 100)}%`,
          b.ejectedUntil === null ? null : `ejected until ${clock(Date.parse(b.ejectedUntil))}`,
          b.ejections === 0 ? null : `${b.ejections} ejection${b.ejections === 1 ? '' : 's'}`,
          b.lastCheck === null ? null : `last check ${b.lastCheck.ok ? 'passed' : `failed: ${b.lastCheck.detail}`}`,
        ].filter((n) => n !== null)
        return el('li', { 'data-state': b.state }, el('span', { 'aria-hidden': 'true' }, icon), ` ${b.url} `, el('strong', {}, word), notes.length === 0 ? null : ` · ${notes.join(' · ')}`)
      }))))))
}

export function renderHistory(events: readonly HistoryView[]): void {
  fill(byId('history'), ...[...events].reverse().map((e) => el('li', {},
    el('time', { datetime: e.at }, clock(Date.parse(e.at))), ' ', el('strong', {}, e.event), ` by ${e.actor}: ${e.from} → ${e.to}`, e.detail === '' ? null : ` · ${e.detail}`)))
}
