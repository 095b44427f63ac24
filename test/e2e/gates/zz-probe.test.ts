import { test } from 'node:test'
import { pino } from 'pino'
import { canaryRouted, rampWith, backend } from '../../support/ramp.js'
import { traffic } from '../../support/traffic.js'

test('probe', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 0.3 })
  const yaml = `listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
readiness: { intervalMs: 20 }
strategy: { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30, postPromotionAnalysis: { templates: [health] } } }
analysis: { templates: [ { name: health, interval: 500ms, count: 4, minRequests: 20, metrics: [ { name: success, builtin: successRate, thresholdRange: { min: 0.99 } } ] } ] }
`
  const ramp = await rampWith(t, yaml, { log: pino({ level: 'info' }) })
  const load = traffic(ramp.urls.main, 8, 30_000)
  t.after(() => load.stop())
  await canaryRouted(ramp)
  await new Promise((r) => setTimeout(r, 1500))
  console.log(ramp.driver.state.phase, ramp.driver.state.reason)
})
