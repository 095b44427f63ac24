import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Ramp } from '../../../src/ramp.js'
import { seeded } from '../../support/prng.js'
import { admin, backend, canaryYaml, rampWith, waitFor } from '../../support/ramp.js'
import { traffic } from '../../support/traffic.js'
import { metric } from './support.js'

// count is there only so the run has an end if the verdict never came; the first failed
// measurement (failureLimit 0) decides long before.
const template = `
analysis:
  templates:
    - name: shadow-health
      listener: mirror
      interval: 500ms
      count: 20
      minRequests: 10
      metrics:
        - { name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }
`

async function darkLaunch(t: TestContext, shaping: string, steps: string): Promise<Ramp> {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 0.3, random: seeded(30) })
  return rampWith(t, `
${canaryYaml(v1.url, v2.url)}${template}
${shaping}
strategy:
  canary:
    steps:
${steps}
`, { random: seeded(31) })
}

/** Runs client traffic until the rollout ends by itself, and checks the clients never met v2. */
async function judgedOnShadowsAlone(t: TestContext, ramp: Ramp): Promise<void> {
  const load = traffic(ramp.urls.main, 8, 20_000)
  t.after(() => load.stop())
  // The run may be decided within one interval, so an abort already seen counts as started.
  await waitFor('the shadow analysis to run', () => ramp.driver.state.phase === 'Aborted' ||
    (ramp.driver.state.reason === 'RunningAnalysis' && ramp.tables.current.shaping.mirror !== null), 3000)
  await waitFor('the rollout to abort by itself', () => ramp.driver.state.phase === 'Aborted', 10_000)
  await load.stop()

  const r = (await admin<{ reason: string; message: string }>(ramp, 'GET', '/api/v1/rollout')).body
  assert.equal(r.reason, 'AnalysisFailed')
  assert.match(r.message, /shadow-health failed: success-rate 0\.\d+ < 0\.99/)
  assert.ok(load.seen.length > 0)
  const notV1 = load.seen.filter((s) => s.version !== 'v1' || s.status !== 200)
  assert.deepEqual(notV1.slice(0, 5), [], `${notV1.length} of ${load.seen.length} client responses were not a 200 from v1`)
  assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { version: 'v2' }), 0, 'no request was ever routed to v2')
  assert.ok(await metric(ramp, 'ramp_requests_total', { listener: 'mirror', version: 'v2', code: '5xx' }) > 0, 'the failures were seen on the copies')
  assert.equal(ramp.tables.current.canary, null, 'the abort took v2 out of the table')
}

test('dark launch by a setMirrorRoute step: v2 failing 30% of its shadow traffic aborts the rollout at weight 0', async (t) => {
  const ramp = await darkLaunch(t, '', `      - setMirrorRoute: { name: shadow, percentage: 100 }
      - analysis: { templates: [shadow-health] }
      - setWeight: 20`)
  await judgedOnShadowsAlone(t, ramp)
})

test('dark launch by the config mirror: v2 failing 30% of its shadow traffic aborts the rollout at weight 0', async (t) => {
  const ramp = await darkLaunch(t, 'mirror: { name: shadow, percentage: 100 }', `      - analysis: { templates: [shadow-health] }
      - setWeight: 20`)
  await judgedOnShadowsAlone(t, ramp)
})
