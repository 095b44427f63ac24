import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const manual = (delay: number): string => `blueGreen:
  autoPromotionEnabled: false
  scaleDownDelaySeconds: ${delay}`

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('blue/green: before promotion the new version is reachable only on the preview listener', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(30) }), workers })
      const routed = await w.routed()
      assert.equal(`${routed.phase}/${routed.reason}`, 'Paused/BlueGreenPause')
      assert.deepEqual(await w.count(500), { v1: 500 })
      assert.deepEqual(await w.count(200, { listener: 'preview' }), { v2: 200 })
    })

    test('blue/green: promotion flips all main traffic, and abort within the scale-down delay flips back', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(30) }), workers })
      await w.routed()
      const flip = await w.admin.promote()
      assert.equal(flip.status, 200)
      assert.equal(flip.body.reason, 'ScaleDownDelay')
      assert.equal((await w.rollout()).routing.weight, 100)
      assert.deepEqual(await w.count(500), { v2: 500 })
      assert.equal((await w.rollout()).routing.stable, 'v1', 'the old version is still in the table')

      const back = await w.admin.abort()
      assert.equal(back.status, 200)
      assert.equal(back.body.phase, 'Aborted')
      assert.deepEqual(await w.count(500), { v1: 500 })
    })

    test('blue/green: after the scale-down delay the old version leaves the table and the new one is stable', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(1) }), workers })
      await w.routed()
      await w.admin.promote()
      const promoted = await w.eventually('Healthy', 'Promoted', 4000)
      assert.equal(promoted.routing.stable, 'v2')
      assert.equal(promoted.routing.canary, null)
      assert.deepEqual(await w.count(200), { v2: 200 })
      const abort = await w.admin.abort()
      assert.equal(abort.status, 409, 'nothing left to abort once the old version is gone')
    })

    test('blue/green: autoPromotionSeconds flips by itself after the wait', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: 'blueGreen:\n  autoPromotionEnabled: false\n  autoPromotionSeconds: 1\n  scaleDownDelaySeconds: 30' }), workers })
      const routed = await w.routed()
      assert.equal(`${routed.phase}/${routed.reason}`, 'Paused/BlueGreenPause')
      await w.eventually('Progressing', 'ScaleDownDelay', 4000)
      assert.deepEqual(await w.count(200), { v2: 200 })
    })
  })
}
