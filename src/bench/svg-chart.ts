import type { Mark } from './load.js'

export interface Series {
  name: string
  color: string
  /** [seconds, value]; a null value breaks the line. */
  points: Array<[number, number | null]>
  dashed?: boolean
}

export interface ChartSpec {
  title: string
  unit: string
  series: Series[]
  marks: Mark[]
  /** Right end of the time axis, in seconds. */
  xMax: number
  /** Top of the value axis; the data's maximum (rounded up) when absent. */
  yMax?: number
}

const [width, height] = [560, 220]
const pad = { left: 56, right: 12, top: 28, bottom: 34 }

export const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** 1, 2 or 5 times a power of ten, at least `x`: axis maxima people read at a glance. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p
  return 10 * p
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Math.round(v * 1000) / 1000))

/**
 * A line chart as an inline SVG element: time on x, one path per series, a legend, and a
 * dashed vertical line per mark (its label in a <title>, shown on hover, and numbered).
 */
export function lineChart(spec: ChartSpec): string {
  const values = spec.series.flatMap((s) => s.points.map(([, v]) => v)).filter((v): v is number => v !== null)
  const yMax = spec.yMax ?? niceCeil(Math.max(0, ...values))
  const xMax = Math.max(spec.xMax, 1)
  const [w, h] = [width - pad.left - pad.right, height - pad.top - pad.bottom]
  const x = (t: number): number => pad.left + (t / xMax) * w
  const y = (v: number): number => pad.top + h - (Math.min(v, yMax) / yMax) * h
  const out: string[] = [`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(spec.title)}">`]
  out.push(`<text x="${pad.left}" y="16" class="title">${escapeXml(spec.title)} (${escapeXml(spec.unit)})</text>`)
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4
    out.push(`<line x1="${pad.left}" x2="${pad.left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`)
    out.push(`<text x="${pad.left - 4}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${fmt(v)}</text>`)
  }
  const xStep = niceCeil(xMax / 6)
  for (let t = 0; t <= xMax + 1e-9; t += xStep) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${height - pad.bottom + 14}" class="tick" text-anchor="middle">${fmt(t)} s</text>`)
  }
  for (const [i, m] of spec.marks.entries()) {
    const mx = x(m.t).toFixed(1)
    out.push(`<g class="mark ${m.source}"><title>${escapeXml(`${fmt(m.t)} s: ${m.label}`)}</title><line x1="${mx}" x2="${mx}" y1="${pad.top}" y2="${pad.top + h}"/><text x="${mx}" y="${pad.top - 2}" text-anchor="middle">${i + 1}</text></g>`)
  }
  for (const s of spec.series) {
    let d = ''
    let pen = 'M'
    for (const [t, v] of s.points) {
      if (v === null) { pen = 'M'; continue }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)}`
      pen = 'L'
    }
    if (d !== '') out.push(`<path class="series" d="${d}" stroke="${s.color}"${s.dashed === true ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(s.name)}</title></path>`)
  }
  let lx = pad.left
  for (const s of spec.series) {
    out.push(`<rect x="${lx}" y="${height - 12}" width="10" height="3" fill="${s.color}"/><text x="${lx + 13}" y="${height - 8}" class="legend">${escapeXml(s.name)}</text>`)
    lx += 20 + s.name.length * 6.5
  }
  out.push('</svg>')
  return out.join('')
}
