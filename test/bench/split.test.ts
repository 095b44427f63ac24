import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { pixelsNear, readPng } from '../support/png.js'
import { screenshot } from './chromium.js'
import { bench, failedChecks } from './support.js'

interface Phase { mode: string; weight: number; responses: number; v1Share: number; v2Share: number }

test('split: the v2 share follows each weight with a random pick, balance: exact and sticky users; the report opens in Chromium and shows its charts', async (t) => {
  const { status, report, dir } = await bench(t, 'split', { duration: 0.4 })
  assert.equal(status, 0, failedChecks(report))
  const phases = (report.figures as { phases: Phase[] }).phases
  assert.equal(phases.length, 12, '3 modes x 4 weights')
  for (const p of phases) assert.ok(Math.abs(p.v1Share + p.v2Share - 1) < 1e-9, `${p.mode} ${p.weight}%: shares sum to 1`)
  assert.equal(report.runs.length, 3)
  for (const run of report.runs) {
    assert.deepEqual(run.marks.filter((m) => m.source === 'bench').map((m) => m.label), ['weight 5', 'weight 20', 'weight 50', 'weight 90'])
    assert.ok(run.marks.some((m) => m.source === 'ramp' && m.label.startsWith('setWeight')), 'ramp\'s own events are on the time axis')
  }
  assert.ok(report.checks.some((c) => c.name.startsWith('sticky: a user keeps one version') && c.ok))

  const png = join(dir, 'report.png')
  process.stdout.write(`# screenshot ${png}\n`)
  await screenshot(join(dir, 'report.html'), png)
  const image = readPng(png)
  assert.deepEqual([image.width, image.height], [1200, 1600])
  const white = pixelsNear(image, '#ffffff', 4)
  assert.ok(white < image.width * image.height * 0.95, `the page is not blank (${white} white pixels)`)
  // The requests/s and p50 lines are drawn in #1f77b4, ramp's event marks in #c62828.
  assert.ok(pixelsNear(image, '#1f77b4', 40) > 300, 'chart lines were drawn')
  assert.ok(pixelsNear(image, '#c62828', 40) > 100, 'event marks and the p99.9 line were drawn')
})
