import 'uplot/dist/uPlot.min.css'
import './dashboard.css'
import { Actions } from './actions.js'
import { api } from './api.js'
import { Charts } from './charts.js'
import { byId, clock, el, fill, ms, percent } from './dom.js'
import { renderAnalysis, renderHealth, renderHistory, renderRelease, renderSteps, renderWaits } from './render.js'
import type { StreamMessage } from './stream.js'
import type { HistoryView, RolloutView, TrafficSecond } from './types.js'

const spanMs = 300_000
/** Re-read with each poll: with workers, a second's rows reach the primary about a second late. */
const overlapMs = 5000
/** Without an answer for this long, the figures are no longer live. */
const staleAfterMs = 3000

const seconds = new Map<number, TrafficSecond>()
let events: HistoryView[] = []
let view: RolloutView | null = null
/** ramp's clock minus the browser's, from the last traffic answer: countdowns use ramp's time. */
let skew = 0
let lastAnswer = 0
let lastTo: number | null = null
/** The event stream broke and has not opened again. */
let streamFailed = false
let live = false
let stream: Worker | null = null

const charts = new Charts(byId('charts'))
const actions = new Actions((v) => { show(v) })

const now = (): number => Date.now() + skew

function show(v: RolloutView): void {
  view = v
  renderRelease(v, now(), servedShares())
  renderSteps(v)
  renderAnalysis(v)
  renderHealth(v)
  if (live) actions.show(v)
}

/** Each version's share of main traffic over the last ten seconds drawn. */
function servedShares(): Record<string, number | null> {
  const recent = [...seconds.values()].slice(-10)
  const totals: Record<string, number> = {}
  for (const s of recent) for (const [v, f] of Object.entries(s.listeners.main ?? {})) totals[v] = (totals[v] ?? 0) + f.requests
  const all = Object.values(totals).reduce((a, b) => a + b, 0)
  return Object.fromEntries(Object.entries(totals).map(([v, n]) => [v, all === 0 ? null : n / all]))
}

function drawTraffic(): void {
  const all = [...seconds.values()].sort((a, b) => a.at - b.at)
  // The charts start at the first second with traffic (a minute at least), not five minutes
  // of nothing before ramp started.
  const first = all.findIndex((s) => Object.values(s.listeners).some((l) => Object.values(l).some((f) => f.requests > 0)))
  const rows = all.slice(Math.max(0, Math.min(first === -1 ? Infinity : first, all.length - 60)))
  const versions = [...new Set(rows.flatMap((s) => Object.keys(s.listeners.main ?? {})))]
  const listeners = rows.some((s) => s.listeners.preview !== undefined) ? (['main', 'preview'] as const) : (['main'] as const)
  charts.draw(rows, versions, listeners)
  const last = rows.slice(-60).reverse()
  fill(byId('figures-table'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'second'), el('th', { scope: 'col' }, 'weight asked'),
      ...versions.flatMap((v) => ['req/s', 'share', 'errors', 'p50', 'p99'].map((h) => el('th', { scope: 'col' }, `${v} ${h}`))))),
    el('tbody', {}, ...last.map((s) => el('tr', { 'data-at': String(s.at), 'data-weight': String(s.weight), 'data-counts': JSON.stringify(Object.fromEntries(versions.map((v) => [v, s.listeners.main?.[v]?.requests ?? 0]))) },
      el('th', { scope: 'row' }, clock(s.at)), el('td', {}, `${s.weight}%`),
      ...versions.flatMap((v) => {
        const f = s.listeners.main?.[v]
        return [
          el('td', {}, String(f?.requests ?? 0)),
          el('td', {}, percent(f?.share ?? null)), el('td', {}, percent(f?.errorRate ?? null, 2)), el('td', {}, ms(f?.p50 ?? null)), el('td', {}, ms(f?.p99 ?? null)),
        ]
      })))))
}

async function pollTraffic(): Promise<void> {
  const t = await api.traffic(lastTo === null ? undefined : lastTo - overlapMs)
  skew = t.now - Date.now()
  for (const s of t.seconds) seconds.set(s.at, s)
  for (const at of seconds.keys()) if (at < t.now - spanMs) seconds.delete(at)
  lastTo = t.to
  drawTraffic()
}

/** Everything read again from scratch: at the start and after the API came back (ramp may have restarted, its figures with it). */
async function resync(): Promise<void> {
  seconds.clear()
  lastTo = null
  const [v, h] = await Promise.all([api.rollout(), api.history(), pollTraffic()])
  events = h.events
  renderHistory(events)
  charts.setEvents(events)
  lastAnswer = Date.now()
  setLive(!streamFailed)
  show(v)
}

function setLive(on: boolean): void {
  const was = live
  live = on
  document.body.classList.toggle('stale', !on)
  const link = byId('link')
  link.dataset.state = on ? 'live' : 'reconnecting'
  fill(link, on ? '● live' : `⟳ reconnecting to ramp… ${lastAnswer === 0 ? 'nothing shown yet' : `the figures below are from ${clock(lastAnswer)} and not live`}`)
  fill(byId('traffic-state'), on ? '' : 'Not live: ramp is not answering.')
  if (!on) actions.show(null, "ramp's admin API is not answering")
  else if (!was && view !== null) actions.show(view)
}

/** (Re)opens the event stream; its messages come from the worker of stream.ts. */
function openStream(): void {
  if (stream === null) {
    stream = new Worker('/ui/stream.js', { type: 'module' })
    stream.addEventListener('message', (e: MessageEvent<StreamMessage>) => {
      const m = e.data
      if (m.type === 'open') {
        streamFailed = false
        resync().catch(() => undefined)
      } else if (m.type === 'error') {
        streamFailed = true
        setLive(false)
      } else {
        const { entry } = JSON.parse(m.data) as { entry: HistoryView }
        events = [...events, entry].slice(-200)
        renderHistory(events)
        charts.setEvents(events)
        api.rollout().then(show, () => undefined)
      }
    })
  }
  stream.postMessage('open')
}

/**
 * Once a second: the figures and the rollout (analysis and health change without events).
 * While ramp is away, a cheap read tells when it is back; the stream is then opened anew
 * (rather than after EventSource's own retry delay) and its opening reads everything again.
 */
async function tick(): Promise<void> {
  try {
    if (live) {
      const [v] = await Promise.all([api.rollout(), pollTraffic()])
      lastAnswer = Date.now()
      show(v)
    } else if (streamFailed) {
      await api.rollout()
      openStream()
    }
  } catch {
    // Not answering: the check below turns the page to "reconnecting".
  }
  if (live && Date.now() - lastAnswer > staleAfterMs) setLive(false)
  if (view !== null) renderWaits(view, now())
  setTimeout(() => { void tick() }, 1000)
}

openStream()
resync().catch(() => { setLive(false) }).finally(() => { void tick() })
