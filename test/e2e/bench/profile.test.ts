import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

test('bench --profile: each proxy runs under --cpu-prof, and the report splits its CPU per request by owner', async (t) => {
  // A warm-up: a proxy under the profiler can take longer than a short run to answer its first request.
  const { status, report, output } = await bench(t, 'overhead', { duration: 0.5, warmup: 0.5, profile: true })
  assert.equal(status, 0, failedChecks(report))
  // The gRPC rows' ramp (an h2c listener) is profiled too, under a name of its own.
  assert.deepEqual(report.profiles.map((p) => p.name.replace(/-\d+$/, '')).sort(), ['ceiling-proxy', 'plain-proxy', 'ramp', 'ramp-h2c'])
  const servedBy = (label: string): number => report.runs.filter((r) => r.label.startsWith(label))
    .reduce((a, r) => a + r.requests + Object.values(r.warmupVersions).reduce((x, y) => x + y, 0), 0)
  const byName = Object.fromEntries(report.profiles.map((p) => [p.name.replace(/-\d+$/, ''), p]))
  assert.equal(byName.ramp?.requests, servedBy('ramp'), 'ramp\'s requests are those of its rows')
  assert.equal(byName['ceiling-proxy']?.requests, servedBy('ceiling'))
  const grpc = (report.figures as { grpc: { runs: { label: string; calls: number; warmupCalls: number }[] } }).grpc.runs.find((r) => r.label.includes('through ramp'))
  assert.equal(byName['ramp-h2c']?.requests, grpc!.calls + grpc!.warmupCalls, 'the h2c ramp\'s calls are those of its gRPC row, warm-up included')
  const owners = byName.ramp.summary.shares.map((s) => s.owner)
  for (const o of ['ramp', 'undici', 'node']) assert.ok(owners.includes(o), `${o} in ${owners.join(', ')}`)
  // ramp's request path is its own handler on undici's dispatch; the plain reference is reply-from's.
  assert.ok(!owners.includes('@fastify/reply-from'), `no reply-from in ramp: ${owners.join(', ')}`)
  assert.ok(byName['plain-proxy']?.summary.shares.some((s) => s.owner === '@fastify/reply-from'), 'plain runs through reply-from')
  // The command line is parsed once, at start-up, which is cut away with the time between loads.
  assert.ok(!owners.includes('commander'), `no start-up in ${owners.join(', ')}`)
  assert.ok(!byName['ceiling-proxy'].summary.shares.some((s) => s.owner === 'fastify'), 'the ceiling runs no fastify')
  for (const p of report.profiles) assert.ok(Math.abs(p.summary.shares.reduce((a, s) => a + s.self, 0) - 1) < 1e-9, `${p.name}: self shares add up to 1`)
  assert.match(output, /CPU microseconds per request by owner/)
})
