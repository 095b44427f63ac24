import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closedPort } from '../../analysis/serve.js'
import { backend, canaryYaml, rampWith } from '../../support/ramp.js'
import { eventually, load, measurementsOf, scrape } from './support.js'

test('a provider that cannot be reached is an Error per measurement, Failed past consecutiveErrorLimit, and the data plane never stops serving', async (t) => {
  const down = await closedPort()
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2' })
  const ramp = await rampWith(t, `
${canaryYaml(v1.url, v2.url)}strategy:
  canary:
    steps:
      - setWeight: 50
      - analysis: { templates: [external] }
      - setWeight: 100
analysis:
  templates:
    - name: external
      interval: 500ms
      count: 3
      consecutiveErrorLimit: 2
      metrics:
        - name: score
          web: { url: "${down}/score", jsonPath: "$.score", timeout: 2s }
          thresholdRange: { min: 0.9 }
`)
  const client = load(t, ramp.urls.main)

  const done = await eventually(ramp, 'Aborted', 'AnalysisFailed')
  assert.equal(done.weight, 0)
  assert.match(done.message, /^Aborted: analysis external failed: score error: web: .*ECONNREFUSED.*, at \d\d:\d\d:\d\d \(3 consecutive errors > consecutiveErrorLimit 2\)$/)

  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Failed')
  const ms = measurementsOf(run, 'score')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Error', null], ['Error', null], ['Error', null]])
  for (const m of ms) assert.match(m.message, /ECONNREFUSED/)
  const gaps = ms.slice(1).map((m, i) => m.at - (ms[i] as { at: number }).at)
  assert.ok(gaps.every((g) => g >= 450 && g < 1500), `measured every 500ms: ${gaps.join(', ')}`)

  assert.equal(await scrape(ramp, 'ramp_analysis_runs_total{template="external",result="Failed"}'), 1)
  assert.equal(await scrape(ramp, 'ramp_analysis_runs_total{template="external",result="Successful"}'), 0)

  await client.stop()
  assert.ok(client.seen.some((r) => r.version === 'v2'), 'v2 served while its analysis could not measure')
  assert.deepEqual(client.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
})
