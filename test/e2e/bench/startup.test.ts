import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

// The figures themselves are the bench's to report, not asserted here (speed and memory are
// checked by the bench); this holds the scenario to measuring them for ramp and the bare server.
test('startup: ramp\'s time to GET /readyz and idle RSS over several starts, and a bare Node server\'s', async (t) => {
  const { status, report } = await bench(t, 'startup')
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as { starts: number; ramp: { readyMs: { median: number | null }; idleMiB: { median: number | null } }; bare: { readyMs: { median: number | null }; idleMiB: { median: number | null } } }
  for (const s of [f.ramp, f.bare]) {
    assert.ok(s.readyMs.median !== null && s.readyMs.median > 0)
    assert.ok(s.idleMiB.median !== null && s.idleMiB.median > 10)
  }
  assert.equal(report.tables[0]!.rows.length, 2)
})
