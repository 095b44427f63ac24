import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canaryRouted, countVersions, waitFor } from '../../support/ramp.js'
import { traffic } from '../../support/traffic.js'
import { patience, world } from './world.js'

/** successRate >= 0.99 over at least 20 requests, four times, 500 ms apart. */
const health = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'health', interval: '500ms', count: 4, minRequests: 20, ...extra,
  metrics: [{ name: 'success', builtin: 'successRate', thresholdRange: { min: 0.99 } }],
})

const postPromotion = { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30, postPromotionAnalysis: { templates: ['health'] } } }

async function flipsBack(t: Parameters<Parameters<typeof test>[0] & object>[0], template: Record<string, unknown>): Promise<void> {
  void t
  void template
}
void flipsBack

test('blue/green: failing post-promotion analysis flips the main listener back to the old version', async (t) => {
  const w = await world(t, { strategy: postPromotion, templates: [health()], v2FailRate: 0.3 })
  const load = traffic(w.ramp.urls.main, 8, 30_000)
  t.after(() => load.stop())
  await canaryRouted(w.ramp)
  await waitFor('v2 to serve the main listener', () => load.seen.some((s) => s.version === 'v2'), patience)
  const aborted = await w.eventually('Aborted', 'AnalysisFailed')
  assert.match(aborted.abort?.message ?? '', /post-promotion analysis health failed: .*< 0\.99/)
  await load.stop()
  assert.deepEqual(await countVersions(w.ramp.urls.main, 200), { v1: 200 }, 'the old version serves everything again')
})
