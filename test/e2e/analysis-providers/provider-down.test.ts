import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { refusingUrl } from '../../support/world/ports.js'
import { world } from '../../support/world/world.js'
import { measurementsOf } from './support.js'

test('a provider that cannot be reached is an Error per measurement, Failed past consecutiveErrorLimit, and the data plane never stops serving', async (t) => {
  const down = await refusingUrl()
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, {
    config: release({
      v1: v1.url, v2: v2.url,
      strategy: 'canary:\n  steps:\n    - setWeight: 50\n    - analysis: { templates: [external] }\n    - setWeight: 100',
      more: `analysis:
  templates:
    - name: external
      interval: 500ms
      count: 3
      consecutiveErrorLimit: 2
      metrics:
        - name: score
          web: { url: "${down}/score", jsonPath: "$.score", timeout: 2s }
          thresholdRange: { min: 0.9 }`,
    }),
  })
  const client = w.load()

  const done = await w.eventually('Aborted', 'AnalysisFailed')
  assert.equal(done.weight, 0)
  assert.match(done.message, /^Aborted: analysis external failed: score error: web: .*ECONNREFUSED.*, at \d\d:\d\d:\d\d \(3 consecutive errors > consecutiveErrorLimit 2\)$/)

  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Failed')
  const ms = measurementsOf(run, 'score')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Error', null], ['Error', null], ['Error', null]])
  for (const m of ms) assert.match(m.message, /ECONNREFUSED/)
  const gaps = ms.slice(1).map((m, i) => m.at - (ms[i] as { at: number }).at)
  assert.ok(gaps.every((g) => g >= 450 && g < 1500), `measured every 500ms: ${gaps.join(', ')}`)

  assert.equal(await w.metric('ramp_analysis_runs_total', { template: 'external', result: 'Failed' }), 1)
  assert.equal(await w.metric('ramp_analysis_runs_total', { template: 'external', result: 'Successful' }), 0)

  await client.stop()
  assert.ok(client.seen.some((r) => r.version === 'v2'), 'v2 served while its analysis could not measure')
  assert.deepEqual(client.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
})
