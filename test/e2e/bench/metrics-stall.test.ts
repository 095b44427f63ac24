import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

// The stall's size is the bench's figure, not asserted here (speed is checked by the bench);
// this holds the scenario to measuring it: reads during the load, paired with control windows.
test('metrics-stall: /metrics is read during a paced load through ramp, each read paired with a control window, and the main thread\'s CPU per read', async (t) => {
  const { status, report } = await bench(t, 'metrics-stall', { duration: 1.5 })
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as { reads: number; cpuPerReadMs: number | null; metricsBytes: number; stallMs: { p50: number | null; max: number | null }; worstInControlWindowsMs: { p50: number | null } }
  assert.ok(f.reads >= 5, `${f.reads} reads`)
  assert.ok(f.metricsBytes > 1000)
  assert.ok(f.cpuPerReadMs !== null && f.cpuPerReadMs > 0)
  assert.ok(f.stallMs.p50 !== null && f.stallMs.p50 >= 0 && f.stallMs.max !== null && f.stallMs.max >= f.stallMs.p50)
  assert.ok(f.worstInControlWindowsMs.p50 !== null)
  assert.match(report.tables[0]!.title, /metrics-stall/)
})
