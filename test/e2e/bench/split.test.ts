import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

interface Phase { mode: string; weight: number; responses: number; v1Share: number; v2Share: number }

test('split: the v2 share follows each weight with a random pick, balance: exact and sticky users', async (t) => {
  const { status, report } = await bench(t, 'split', { duration: 0.2, connections: 10 })
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

})
