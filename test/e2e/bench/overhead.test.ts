import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'
import { bench, failedChecks, shares } from './support.js'

interface GrpcFigures { rampToDirectRps: number; addedP99Ms: number; runs: { label: string; calls: number; rps: number; p99: number; errors: number }[] }
interface Figures { ratios: Record<string, number | null>; fixedRate: { offered: number; directP99: number; rampP99: number; addedMs: number; ceilingAddedMs: number | null } | null; grpc: GrpcFigures | null }

test('overhead: direct, plain @fastify/http-proxy, the ceiling proxy and ramp in one run, then the fixed-rate rows; the figures agree with each other', async (t) => {
  // A warm-up, so that a helper slow to answer its first requests on a loaded machine still fills its row.
  const { status, report, html, output } = await bench(t, 'overhead', { duration: 0.3, warmup: 0.3 })
  assert.equal(status, 0, failedChecks(report))
  assert.deepEqual(report.runs.map((r) => r.label.split(' ')[0]), ['direct', 'plain', 'ceiling:', 'ramp,', 'direct', 'ceiling:', 'ramp,'])
  for (const run of report.runs) {
    assert.ok(run.requests > 0, `${run.label} answered`)
    assert.equal(run.samples.reduce((a, s) => a + s.rps, 0), run.requests, `${run.label}: the per-second samples add up to the run's responses`)
  }
  for (const s of shares(report)) assert.ok(Math.abs(Object.values(s).reduce((a, b) => a + b, 0) - 1) < 1e-9, 'shares sum to 1')
  const [ramp, fixedCeiling, fixedRamp] = [report.runs[3]!, report.runs[5]!, report.runs[6]!]
  assert.ok((ramp.versions.v2 ?? 0) > 0 && (ramp.versions.v1 ?? 0) > 0, 'ramp split between v1 and v2')
  const f = report.figures as unknown as Figures
  assert.ok(f.fixedRate !== null)
  assert.equal(f.fixedRate.offered, Math.round(Math.min(20_000, 0.7 * ramp.rps)), 'the fixed rate is 70% of ramp\'s maximum (below 20 000)')
  assert.equal(fixedRamp.rate, f.fixedRate.offered)
  assert.equal(f.fixedRate.addedMs, f.fixedRate.rampP99 - f.fixedRate.directP99)
  assert.equal(f.fixedRate.ceilingAddedMs, fixedCeiling.p99 - f.fixedRate.directP99)
  assert.equal(fixedCeiling.rate, f.fixedRate.offered)
  assert.equal(f.ratios.rampToPlainRps, ramp.rps / report.runs[1]!.rps)
  assert.equal(f.ratios.rampToCeilingP99, ramp.p99 / report.runs[2]!.p99)
  const perCpu = (i: number): number => report.runs[i]!.rps / report.runs[i]!.cpu!.target
  assert.equal(f.ratios.ceilingToPlainPerCpu, perCpu(2) / perCpu(1))
  assert.equal(f.ratios.rampToPlainPerCpu, perCpu(3) / perCpu(1))
  // Short of a requests/s target, the output says why, from this run's own per-CPU figures.
  const short = f.ratios.rampToPlainRps < 1.3 || f.ratios.rampToCeilingRps! < 0.85
  assert.equal(output.includes(`Per proxy CPU-second ramp served ${f.ratios.rampToCeilingPerCpu!.toFixed(2)}x the ceiling and ${f.ratios.rampToPlainPerCpu.toFixed(2)}x plain`), short, output)
  assert.ok(report.checks.some((c) => c.name.includes('backends\' own counts') && c.ok), 'the backends\' counts were compared')
  // Then the gRPC rows: unary calls to the same gRPC backend, direct and through ramp, every one answered OK.
  assert.ok(f.grpc !== null)
  const [grpcDirect, grpcRamp] = f.grpc.runs
  assert.deepEqual(f.grpc.runs.map((r) => r.label), ['gRPC unary, direct (h2c backend)', 'gRPC unary, through ramp (h2c -> h2c)'])
  assert.ok(grpcDirect!.calls > 0 && grpcRamp!.calls > 0 && grpcDirect!.errors + grpcRamp!.errors === 0)
  assert.equal(f.grpc.rampToDirectRps, grpcRamp!.rps / grpcDirect!.rps)
  assert.equal(f.grpc.addedP99Ms, grpcRamp!.p99 - grpcDirect!.p99)
  assert.ok(report.checks.filter((c) => c.name.includes('every call answered grpc-status 0')).length === 2)
  assert.ok(ramp.samples.some((s) => s.rssBytes !== null && s.weight === 20), 'ramp\'s RSS and weight were read during its run')
  assert.match(html, /<svg class="chart"/)
  assert.doesNotMatch(html, /<script|<link|\b(?:src|href)=/, 'self-contained: no script, nothing loaded')
})

test('overhead --target: a running ramp and a --direct backend are measured without starting anything', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20 }) })
  await w.routed()
  const { status, report } = await bench(t, 'overhead', { duration: 0.2, target: { main: w.urls.main, admin: w.urls.admin }, direct: v1.url })
  assert.equal(status, 0, failedChecks(report))
  assert.deepEqual(report.runs.map((r) => r.url), [v1.url, w.urls.main, v1.url, w.urls.main])
  assert.equal((report.figures as unknown as Figures).grpc, null, 'no gRPC rows: they need a backend and an h2c ramp of their own')
  const seen = report.runs.reduce((a, r) => a + r.requests, 0)
  assert.ok(v1.traffic() + v2.traffic() >= seen, 'the real backends served every response the bench saw')
})
