import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { json, recorder } from '../../support/world/recorder.js'
import type { Load } from '../../support/world/traffic.js'
import { world } from '../../support/world/world.js'
import { measurementsOf } from './support.js'

type Answer = { score: number } | 'garbage'

/**
 * A real HTTP endpoint the web metric reads, answering what `answer.now` says at the time of
 * each call, and ramp releasing v2 behind an analysis step on it, with load on the main listener.
 */
async function scored(t: TestContext, first: Answer, template: { count: number; consecutiveErrorLimit?: number }) {
  const answer = { now: first }
  const endpoint = await recorder(t, (req, res) => {
    req.on('end', () => {
      const a = answer.now
      if (a === 'garbage') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>')
      else json(res, 200, { data: { score: a.score } })
    })
  })
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, {
    config: release({
      v1: v1.url, v2: v2.url,
      strategy: 'canary:\n  steps:\n    - setWeight: 50\n    - analysis: { templates: [score] }\n    - setWeight: 100',
      more: `analysis:
  templates:
    - name: score
      interval: 500ms
      count: ${template.count}
      consecutiveErrorLimit: ${template.consecutiveErrorLimit ?? 4}
      metrics:
        - name: score
          web: { url: "${endpoint.url}/score", jsonPath: "$.data.score" }
          thresholdRange: { min: 0.9 }`,
    }),
  })
  return { w, answer, endpoint, load: w.load() }
}

async function allAnswered200(load: Load): Promise<void> {
  await load.stop()
  assert.ok(load.seen.length > 0)
  assert.deepEqual(load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
}

test('a web metric above its minimum passes the analysis step and the rollout promotes', async (t) => {
  const { w, endpoint, load } = await scored(t, { score: 0.93 }, { count: 2 })

  const done = await w.eventually('Healthy', 'Promoted')
  assert.equal(done.stable.name, 'v2')
  assert.equal(done.analysis.lastVerdict?.result, 'Successful')
  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Successful', run?.message)
  assert.match(run?.message ?? '', /^score 0\.93 >= 0\.9 at \d\d:\d\d:\d\d \(count 2 reached\)$/)
  assert.deepEqual(measurementsOf(run, 'score').map((m) => [m.phase, m.value]), [['Successful', 0.93], ['Successful', 0.93]])
  assert.equal(endpoint.traffic().length, 2, 'one call per measurement')
  assert.deepEqual(endpoint.traffic().map((r) => `${r.method} ${r.url}`), ['GET /score', 'GET /score'])
  assert.equal(await w.metric('ramp_analysis_measurement', { template: 'score', metric: 'score' }), 0.93)
  assert.equal(await w.metric('ramp_analysis_runs_total', { template: 'score', result: 'Successful' }), 1)
  await allAnswered200(load)
})

test('a web metric below its minimum fails the run and the rollout aborts, naming the value', async (t) => {
  const { w, load } = await scored(t, { score: 0.5 }, { count: 3 })

  const done = await w.eventually('Aborted', 'AnalysisFailed')
  assert.equal(done.weight, 0)
  assert.match(done.message, /^Aborted: analysis score failed: score 0\.5 < 0\.9 at \d\d:\d\d:\d\d \(1 failure > failureLimit 0\)$/)
  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Failed')
  assert.deepEqual(measurementsOf(run, 'score').map((m) => [m.phase, m.value]), [['Failed', 0.5]])
  await allAnswered200(load)
})

test('an answer that is not JSON is an Error measurement, which neither counts nor fails within the limit', async (t) => {
  const { w, answer, load } = await scored(t, 'garbage', { count: 2, consecutiveErrorLimit: 4 })

  // Switched back while the run is still inside its error limit (5 errors would fail it).
  await waitFor('two Error measurements', async () => {
    const current = (await w.rollout()).analysis.current[0]
    return measurementsOf(current, 'score').length >= 2
  }, 15_000)
  const during = await w.rollout()
  assert.equal(during.phase, 'Progressing')
  assert.equal(during.reason, 'RunningAnalysis')
  const errors = measurementsOf(during.analysis.current[0], 'score')
  for (const m of errors) {
    assert.equal(m.phase, 'Error')
    assert.equal(m.value, null)
    assert.match(m.message, /^score error: web: the body is not JSON: "<html>maintenance<\/html>", at \d\d:\d\d:\d\d$/)
  }
  answer.now = { score: 0.95 }

  const done = await w.eventually('Healthy', 'Promoted')
  const phases = measurementsOf(done.analysis.last[0], 'score').map((m) => m.phase)
  assert.ok(phases.length >= 4 && phases.length <= 5, `two or three Errors, then the count of good ones: ${phases.join(', ')}`)
  assert.deepEqual(phases.slice(-2), ['Successful', 'Successful'], 'the Errors did not count towards count 2')
  assert.ok(phases.slice(0, -2).every((p) => p === 'Error'), phases.join(', '))
  await allAnswered200(load)
})
