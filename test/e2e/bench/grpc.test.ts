import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

interface Figures { rampToDirectRps: number; runs: { label: string; calls: number; rps: number; errors: number }[] }

// Profiling the h2c ramp is checked by profile.test.ts, whose overhead run includes these rows.
test('grpc: the overhead scenario\'s gRPC rows alone', async (t) => {
  const { status, report, output } = await bench(t, 'grpc', { duration: 0.3, warmup: 0.2 })
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as unknown as Figures
  assert.deepEqual(f.runs.map((r) => r.label), ['gRPC unary, direct (h2c backend)', 'gRPC unary, through ramp (h2c -> h2c)'])
  const [direct, through] = f.runs
  assert.ok(direct!.calls > 0 && through!.calls > 0 && direct!.errors + through!.errors === 0)
  assert.equal(f.rampToDirectRps, through!.rps / direct!.rps)
  assert.equal(report.runs.length, 0, 'no HTTP/1.1 load ran')
  assert.match(output, /gRPC unary, through ramp/)
})
