import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { pixelsNear, readPng } from '../../support/png.js'
import { screenshot } from './chromium.js'
import { bench, failedChecks } from './support.js'

test('flip-under-load: 20 flips and 100 weight changes under load fail no request, and ramp\'s events mark the time axis', async (t) => {
  const { status, report, html } = await bench(t, 'flip-under-load', { duration: 0.6, connections: 20 })
  assert.equal(status, 0, failedChecks(report))
  const [run] = report.runs
  assert.ok(run !== undefined)
  assert.equal(run.non2xx + run.errors, 0)
  assert.equal((report.figures as { weights: number[] }).weights.length, 100)
  assert.ok(run.marks.filter((m) => m.source === 'ramp' && m.label.startsWith('setWeight')).length >= 100, 'the changes are marked')
  assert.ok((html.match(/class="mark ramp"/g) ?? []).length >= 120 * 4, 'marked on each chart')
})

test('canary-fails: the analysis aborts a v2 that fails 10% of its requests; failures stop with the abort; the report opens in Chromium and shows its charts', async (t) => {
  const { status, report, dir } = await bench(t, 'canary-fails', { duration: 5 })
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as { timeToAbortMs: number; failedForUsers: number; failedAfterAbort: number; byVersion: Record<string, number> }
  assert.ok(f.timeToAbortMs > 0 && f.timeToAbortMs < 15_000, `aborted after ${f.timeToAbortMs} ms`)
  assert.ok(f.failedForUsers > 0 && f.failedForUsers < (f.byVersion.v2 ?? 0), 'some of v2\'s answers failed, never v1\'s')
  assert.equal(f.failedAfterAbort, 0)
  assert.equal(report.runs[0]!.non2xx, f.failedForUsers)

  const png = join(dir, 'report.png')
  await screenshot(join(dir, 'report.html'), png)
  const image = readPng(png)
  assert.deepEqual([image.width, image.height], [1200, 1600])
  const white = pixelsNear(image, '#ffffff', 4)
  assert.ok(white < image.width * image.height * 0.95, `the page is not blank (${white} white pixels)`)
  // Colours of html.ts: requests/s, v1 share and p50 lines, v2 share line, errors line and ramp's event marks.
  assert.ok(pixelsNear(image, '#1f77b4', 40) > 300, 'the blue lines were drawn')
  assert.ok(pixelsNear(image, '#2ca02c', 40) > 50, 'the v2 share line was drawn')
  assert.ok(pixelsNear(image, '#c62828', 40) > 100, 'the errors line and the event marks were drawn')
})
