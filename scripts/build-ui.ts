// Builds the dashboard (ui/) into dist/ui/: one script with uPlot in it, the event stream's worker, one stylesheet, the
// page and its icon, all served by the admin listener (src/admin/routes/dashboard.ts). The
// page loads nothing from elsewhere, so it works offline and shows no font or script from a CDN.
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const root = new URL('../', import.meta.url)
const outdir = new URL('dist/ui/', root).pathname
const uplot = JSON.parse(readFileSync(new URL('node_modules/uplot/package.json', root), 'utf8')) as { version: string; license: string }
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { dashboard: new URL('ui/main.ts', root).pathname, stream: new URL('ui/stream.ts', root).pathname },
  outdir,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  // uPlot's copyright line does not survive minifying; its licence asks that it be kept.
  banner: { js: `/*! uPlot ${uplot.version} (c) Leon Sorokin, ${uplot.license} licence: https://github.com/leeoniya/uPlot */`, css: `/*! uPlot ${uplot.version} (c) Leon Sorokin, ${uplot.license} licence */` },
  logLevel: 'warning',
})
for (const file of ['index.html', 'icon.svg']) copyFileSync(new URL(`ui/${file}`, root), `${outdir}${file}`)
