import uPlot from 'uplot'
import { clock, el, fill, ms, percent } from './dom.js'
import type { HistoryView, TrafficSecond, VersionSecond } from './types.js'

type Listener = 'main' | 'preview'

interface ChartSpec {
  id: string
  title: string
  listener: Listener
  unit: (x: number | null) => string
  /** The lines of a version; `null` leaves the version out of the chart. */
  lines: Array<{ suffix: string; of: (f: VersionSecond) => number | null; dash?: number[] }>
  /** The weight asked for, drawn with the shares. */
  weight?: boolean
}

const specs: ChartSpec[] = [
  { id: 'share-main', title: 'Share served (main)', listener: 'main', weight: true, unit: (x) => (x === null ? '–' : `${x.toFixed(1)}%`), lines: [{ suffix: 'served', of: (f) => (f.share === null ? null : f.share * 100) }] },
  { id: 'rps-main', title: 'Requests/s (main)', listener: 'main', unit: (x) => (x === null ? '–' : String(x)), lines: [{ suffix: '', of: (f) => f.requests }] },
  { id: 'errors-main', title: 'Error rate (main)', listener: 'main', unit: (x) => percent(x === null ? null : x / 100, 2), lines: [{ suffix: '', of: (f) => (f.errorRate === null ? null : f.errorRate * 100) }] },
  { id: 'latency-main', title: 'Latency (main)', listener: 'main', unit: ms, lines: [{ suffix: 'p50', of: (f) => f.p50 }, { suffix: 'p99', of: (f) => f.p99, dash: [2, 3] }] },
  { id: 'rps-preview', title: 'Requests/s (preview)', listener: 'preview', unit: (x) => (x === null ? '–' : String(x)), lines: [{ suffix: '', of: (f) => f.requests }] },
  { id: 'latency-preview', title: 'Latency (preview)', listener: 'preview', unit: ms, lines: [{ suffix: 'p50', of: (f) => f.p50 }, { suffix: 'p99', of: (f) => f.p99, dash: [2, 3] }] },
]

/** Two versions at a time: the first solid, the second dashed, so lines differ without colour. */
const looks = [{ stroke: '#1f5fa8', dash: undefined }, { stroke: '#b8560b', dash: [8, 4] }, { stroke: '#3a7d2c', dash: [1, 3] }]

interface Drawn { plot: uPlot; key: string }

/**
 * The traffic charts: one uPlot per figure, rebuilt when the versions change, with the
 * rollout's events drawn as marked vertical lines.
 */
export class Charts {
  private readonly drawn = new Map<string, Drawn>()
  private events: HistoryView[] = []

  constructor(private readonly root: HTMLElement) {
    new ResizeObserver(() => { for (const d of this.drawn.values()) d.plot.setSize(this.size(d.plot.root.parentElement as HTMLElement)) }).observe(root)
  }

  setEvents(events: readonly HistoryView[]): void {
    this.events = [...events]
    for (const d of this.drawn.values()) d.plot.redraw(false)
  }

  draw(seconds: readonly TrafficSecond[], versions: readonly string[], listeners: readonly Listener[]): void {
    const xs = seconds.map((s) => s.at / 1000)
    for (const spec of specs) {
      if (!listeners.includes(spec.listener)) { this.drop(spec.id); continue }
      const series: Array<{ label: string; data: Array<number | null>; dash?: number[]; stroke: string; width?: number }> = []
      if (spec.weight === true) series.push({ label: 'canary weight asked', data: seconds.map((s) => s.weight), stroke: '#444', dash: [3, 3], width: 1 })
      versions.forEach((v, i) => {
        const look = looks[i % looks.length] as (typeof looks)[number]
        for (const line of spec.lines) {
          const f = (s: TrafficSecond): VersionSecond | undefined => s.listeners[spec.listener]?.[v]
          series.push({ label: `${v}${line.suffix === '' ? '' : ` ${line.suffix}`}`, data: seconds.map((s) => { const x = f(s); return x === undefined ? null : line.of(x) }), stroke: look.stroke, ...(line.dash ?? look.dash ? { dash: line.dash ?? look.dash } : {}) })
        }
      })
      const key = series.map((s) => s.label).join('|')
      let d = this.drawn.get(spec.id)
      if (d !== undefined && d.key !== key) { this.drop(spec.id); d = undefined }
      const data: uPlot.AlignedData = [xs, ...series.map((s) => s.data)]
      if (d === undefined) this.drawn.set(spec.id, d = { plot: this.make(spec, series, data), key })
      else d.plot.setData(data)
    }
  }

  private make(spec: ChartSpec, series: Array<{ label: string; dash?: number[]; stroke: string; width?: number }>, data: uPlot.AlignedData): uPlot {
    let box = this.root.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`)
    if (box === null) {
      box = el('figure', { 'data-chart': spec.id, 'aria-label': spec.title }, el('figcaption', {}, spec.title))
      this.root.append(box)
    } else {
      fill(box, el('figcaption', {}, spec.title))
    }
    const opts: uPlot.Options = {
      ...this.size(box),
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: spec.weight === true ? { range: [0, 100] } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => clock(t * 1000)), space: 70 }, { values: (_u, ticks) => ticks.map((t) => spec.unit(t)), size: 64 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width ?? 2, spanGaps: false, value: (_u: uPlot, x: number | null) => spec.unit(x), ...(s.dash === undefined ? {} : { dash: s.dash }) }))],
      hooks: { draw: [(u) => { this.mark(u) }] },
    }
    return new uPlot(opts, data, box)
  }

  /** The events inside the chart's time range, as dashed lines with the event's name. */
  private mark(u: uPlot): void {
    const [from, to] = [u.scales.x?.min ?? 0, u.scales.x?.max ?? 0]
    const ctx = u.ctx
    ctx.save()
    ctx.strokeStyle = '#666'
    ctx.fillStyle = '#333'
    ctx.setLineDash([4, 4])
    ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`
    // Events close together (start and ready) get their labels one under the other.
    let lastX = -Infinity
    let row = 0
    for (const e of this.events) {
      const t = Date.parse(e.at) / 1000
      if (t < from || t > to) continue
      const x = u.valToPos(t, 'x', true)
      row = x - lastX < 60 * devicePixelRatio ? (row + 1) % 4 : 0
      lastX = x
      ctx.beginPath()
      ctx.moveTo(x, u.bbox.top)
      ctx.lineTo(x, u.bbox.top + u.bbox.height)
      ctx.stroke()
      ctx.fillText(e.event, x + 3, u.bbox.top + (12 + 12 * row) * devicePixelRatio)
    }
    ctx.restore()
  }

  private size(box: HTMLElement): { width: number; height: number } {
    return { width: Math.max(260, box.clientWidth - 8), height: 160 }
  }

  private drop(id: string): void {
    this.drawn.get(id)?.plot.destroy()
    this.drawn.delete(id)
    this.root.querySelector(`[data-chart="${id}"]`)?.remove()
  }
}
