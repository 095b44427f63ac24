import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

interface Figures { rampToDirectRps: number; runs: { label: string; calls: number; warmupCalls: number; rps: number; errors: number }[] }

test('grpc: the overhead scenario\'s gRPC rows alone, and with --profile the h2c ramp\'s CPU per call by owner', async (t) => {
  const { status, report, output } = await bench(t, 'grpc', { duration: 0.5, warmup: 0.5, profile: true })
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as unknown as Figures
  assert.deepEqual(f.runs.map((r) => r.label), ['gRPC unary, direct (h2c backend)', 'gRPC unary, through ramp (h2c -> h2c)'])
  const [direct, through] = f.runs
  assert.ok(direct!.calls > 0 && through!.calls > 0 && direct!.errors + through!.errors === 0)
  assert.equal(f.rampToDirectRps, through!.rps / direct!.rps)
  assert.equal(report.runs.length, 0, 'no HTTP/1.1 load ran')
  assert.deepEqual(report.profiles.map((p) => p.name.replace(/-\d+$/, '')), ['ramp-h2c'])
  const [ramp] = report.profiles
  assert.equal(ramp!.requests, through!.calls + through!.warmupCalls, 'the profile is read per call that ramp served')
  const owners = ramp!.summary.shares.map((s) => s.owner)
  for (const o of ['ramp', 'node']) assert.ok(owners.includes(o), `${o} in ${owners.join(', ')}`)
  assert.match(output, /CPU microseconds per request by owner/)
})
