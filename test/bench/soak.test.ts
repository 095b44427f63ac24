import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bench, failedChecks } from './support.js'

test('soak: ramp\'s RSS after a tenth and after all the requests, and its event-loop delay, come from its /metrics', async (t) => {
  const { status, report } = await bench(t, 'soak', { requests: 3000 })
  assert.equal(status, 0, failedChecks(report))
  const f = report.figures as { rssAfterTenthBytes: number; rssAfterAllBytes: number; rssRatio: number; eventLoopP99MeanMs: number | null }
  assert.ok(f.rssAfterTenthBytes > 10 * 2 ** 20 && f.rssAfterAllBytes > 10 * 2 ** 20, 'plausible RSS readings')
  assert.equal(f.rssRatio, f.rssAfterAllBytes / f.rssAfterTenthBytes)
  assert.equal(report.runs[0]!.requests, 3000)
  assert.ok(report.checks.some((c) => c.name === 'the backends served exactly the requests sent' && c.ok))
  assert.ok(report.runs[0]!.samples.every((s) => s.rssBytes === null || s.rssBytes > 0))
})
