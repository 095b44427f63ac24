import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { seeded } from '../../support/prng.js'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { eventually } from '../../support/world/eventually.js'
import { seedFor, world, type World } from '../../support/world/world.js'

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
      # A loaded machine can leave a window short of minRequests; the verdict is the metric's.
      inconclusiveLimit: 5
      metrics:
        - { name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }
`

async function darkLaunch(t: TestContext, workers: number, shaping: string, steps: string): Promise<World> {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 0.3, random: seeded(30) })
  return world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: `canary:\n  steps:\n${steps}`, more: `${template}\n${shaping}` }), workers, ...seedFor(workers, 31) })
}

/** Runs client traffic until the rollout ends by itself, and checks the clients never met v2. */
async function judgedOnShadowsAlone(w: World): Promise<void> {
  const load = w.load({ connections: 8, maxMs: 20_000 })
  // The run may be decided within one interval, so an abort already seen counts as started.
  await w.until('the shadow analysis to run', (v) => v.phase === 'Aborted' || (v.reason === 'RunningAnalysis' && v.routing.canary !== null), 3000)
  const r = await w.until('the rollout to abort by itself', (v) => v.phase === 'Aborted', 10_000)
  await load.stop()

  assert.equal(r.reason, 'AnalysisFailed')
  assert.match(r.message, /shadow-health failed: success-rate 0\.\d+ < 0\.99/)
  assert.ok(load.seen.length > 0)
  const notV1 = load.seen.filter((s) => s.version !== 'v1' || s.status !== 200)
  assert.deepEqual(notV1.slice(0, 5), [], `${notV1.length} of ${load.seen.length} client responses were not a 200 from v1`)
  // Every client request has its decision counted before the v2 count can say "never".
  assert.equal(await w.metricReaches('ramp_routing_decisions_total', { version: 'v1' }, load.seen.length), load.seen.length)
  assert.equal(await w.metric('ramp_routing_decisions_total', { version: 'v2' }), 0, 'no request was ever routed to v2')
  await eventually('the failures to be seen on the copies', () => w.metric('ramp_requests_total', { listener: 'mirror', version: 'v2', code: '5xx' }), (n) => n > 0)
  assert.equal((await w.rollout()).routing.canary, null, 'the abort took v2 out of the table')
}

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('dark launch by a setMirrorRoute step: v2 failing 30% of its shadow traffic aborts the rollout at weight 0', async (t) => {
      const w = await darkLaunch(t, workers, '', `      - setMirrorRoute: { name: shadow, percentage: 100 }
      - analysis: { templates: [shadow-health] }
      - setWeight: 20`)
      await judgedOnShadowsAlone(w)
    })

    test('dark launch by the config mirror: v2 failing 30% of its shadow traffic aborts the rollout at weight 0', async (t) => {
      const w = await darkLaunch(t, workers, 'mirror: { name: shadow, percentage: 100 }', `      - analysis: { templates: [shadow-health] }
      - setWeight: 20`)
      await judgedOnShadowsAlone(w)
    })
  })
}
