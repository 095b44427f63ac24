import { test } from 'node:test'
import { canaryRouted, admin } from '../../support/ramp.js'
import { traffic } from '../../support/traffic.js'
import { world } from './world.js'

test('probe', async (t) => {
  const w = await world(t, { strategy: { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30, postPromotionAnalysis: { templates: ['health'] } } }, templates: [{ name: 'health', interval: '500ms', count: 4, minRequests: 20, metrics: [{ name: 'success', builtin: 'successRate', thresholdRange: { min: 0.99 } }] }], v2FailRate: 0.3 })
  const load = traffic(w.ramp.urls.main, 8, 30_000)
  t.after(() => load.stop())
  await canaryRouted(w.ramp)
  await w.eventually('Aborted', 'AnalysisFailed')
  const r = await admin(w.ramp, 'GET', '/api/v1/rollout')
  console.log(JSON.stringify((r.body as any).analysis, null, 1))
  console.log(JSON.stringify(await w.events(), null, 1))
})
