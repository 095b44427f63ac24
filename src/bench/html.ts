import type { LoadRun } from './load.js'
import type { Report } from './report.js'
import { escapeXml as esc, lineChart, type Series } from './svg-chart.js'

const palette = ['#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2']
const css = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.ok { color: #1a7f37; } .fail { color: #c62828; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fafafa; border: 1px solid #e4e4e4; }
svg .title { font-size: 13px; font-weight: 600; fill: #222; } svg .tick, svg .legend { font-size: 10px; fill: #555; }
svg .grid { stroke: #e2e2e2; } svg .series { fill: none; stroke-width: 1.6; }
svg .mark line { stroke: #c62828; stroke-dasharray: 3 3; stroke-width: 1; } svg .mark.bench line { stroke: #888; }
svg .mark text { font-size: 9px; fill: #c62828; } svg .mark.bench text { fill: #666; }
ol.marks { font-size: 12px; color: #444; columns: 2; }
`

const colorOf = (names: string[]): ((name: string) => string) => (name) => palette[names.indexOf(name) % palette.length] ?? '#000'

/** The charts of one load run: requests/s, share against weight, latency, errors, and ramp's memory and event loop when read. */
function runSection(run: LoadRun): string {
  const s = run.samples
  const xMax = Math.max(run.seconds, s.at(-1)?.t ?? 0)
  const marks = run.marks
  const versions = [...new Set(s.flatMap((x) => Object.keys(x.versions)))].sort()
  const color = colorOf(versions)
  const charts: string[] = []
  charts.push(lineChart({ title: 'Requests per second', unit: 'responses/s', xMax, marks, series: [{ name: 'responses/s', color: palette[0]!, points: s.map((x) => [x.t, x.rps]) }] }))
  const shares: Series[] = versions.map((v) => ({ name: `${v} share`, color: color(v), points: s.map((x) => [x.t, x.rps === 0 ? null : (x.versions[v] ?? 0) / x.rps]) }))
  if (s.some((x) => x.weight !== null)) shares.push({ name: 'canary weight', color: '#000', dashed: true, points: s.map((x) => [x.t, x.weight === null ? null : x.weight / 100]) })
  charts.push(lineChart({ title: 'Share per version against the weight', unit: 'share of responses', xMax, marks, yMax: 1, series: shares }))
  charts.push(lineChart({
    title: 'Latency percentiles', unit: 'ms', xMax, marks,
    series: [
      { name: 'p50', color: palette[0]!, points: s.map((x) => [x.t, x.p50]) },
      { name: 'p99', color: palette[2]!, points: s.map((x) => [x.t, x.p99]) },
      { name: 'p99.9', color: '#c62828', points: s.map((x) => [x.t, x.p999]) },
    ],
  }))
  charts.push(lineChart({ title: 'Errors', unit: 'non-2xx and connection errors per second', xMax, marks, series: [{ name: 'errors/s', color: '#c62828', points: s.map((x) => [x.t, x.errors]) }] }))
  if (s.some((x) => x.rssBytes !== null)) {
    charts.push(lineChart({ title: 'ramp resident memory', unit: 'MiB', xMax, marks, series: [{ name: 'RSS', color: palette[3]!, points: s.map((x) => [x.t, x.rssBytes === null ? null : x.rssBytes / 2 ** 20]) }] }))
  }
  if (s.some((x) => x.eventLoopP99Ms !== null)) {
    charts.push(lineChart({ title: 'ramp event-loop delay', unit: 'ms, p99 per scrape', xMax, marks, series: [{ name: 'event-loop delay p99', color: palette[4]!, points: s.map((x) => [x.t, x.eventLoopP99Ms]) }] }))
  }
  const list = marks.length === 0 ? '' : `<ol class="marks">${marks.map((m) => `<li>${m.t.toFixed(1)} s (${m.source}): ${esc(m.label)}</li>`).join('')}</ol>`
  const mode = run.rate === null ? 'as fast as it answers' : `${run.rate.toLocaleString('en-US')} requests/s offered`
  return `<section class="run"><h2>${esc(run.label)}</h2>
<p>${esc(run.url)}: ${run.connections} connections, ${mode}, ${run.seconds.toFixed(1)} s, ${run.requests.toLocaleString('en-US')} responses,
${Math.round(run.rps).toLocaleString('en-US')} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, p99.9 ${run.p999} ms, ${run.non2xx} non-2xx, ${run.errors} errors.</p>
<div class="charts">${charts.join('\n')}</div>${list}</section>`
}

/** The whole report as one HTML file: inline CSS and SVG, no script, nothing fetched. */
export function renderHtml(r: Report): string {
  const check = (c: Report['checks'][number]): string => `<li class="${c.ok ? 'ok' : 'fail'}">${c.ok ? 'ok' : 'FAILED'}: ${esc(c.name)} (${esc(c.detail)})</li>`
  const failed = r.checks.filter((c) => !c.ok)
  const tables = r.tables.map((t) => `<h3>${esc(t.title)}</h3><table><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${t.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`).join('')
  const m = r.machine
  const pinned = Object.entries(r.pinning).filter(([, v]) => v !== null).map(([k, v]) => `${k} on core ${String(v)}`)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ramp bench: ${esc(r.scenario)}</title><style>${css}</style></head>
<body>
<h1>ramp bench: ${esc(r.scenario)} <span class="${r.ok ? 'ok' : 'fail'}">${r.ok ? 'ok' : 'FAILED'}</span></h1>
<p>${esc(r.description)}</p>
<p>${esc(r.at)}. ${m.cores} cores (${esc(m.cpu)}), ${m.memGiB} GiB, Node ${esc(m.node)}, ${esc(m.platform)}, load average ${m.loadavg1mAtStart} at the start.
Pinned: ${pinned.length === 0 ? 'nothing' : esc(pinned.join(', '))}.</p>
${r.error === null ? '' : `<p class="fail">The run stopped: ${esc(r.error)}</p>`}
${failed.length === 0 ? `<p class="ok">All ${r.checks.length} checks passed (listed at the end).</p>` : `<ul>${failed.map(check).join('')}</ul>`}
${tables}
${r.runs.map(runSection).join('\n')}
<h2>Checks</h2>
<ul>${r.checks.map(check).join('')}</ul>
</body></html>
`
}
