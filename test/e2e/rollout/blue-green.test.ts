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

    test('blue/green: promotion flips all main traffic and makes the new version stable, Healthy at once; abort within the scale-down delay flips back', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(30) }), workers })
      await w.routed()
      const flip = await w.admin.promote()
      assert.equal(flip.status, 200)
      assert.deepEqual([flip.body.phase, flip.body.reason, flip.body.stable.name, flip.body.previousStable?.name], ['Healthy', 'Promoted', 'v2', 'v1'])
      assert.notEqual(flip.body.scaleDownAt, null)
      assert.deepEqual(await w.count(500), { v2: 500 })
      assert.deepEqual(await w.count(200, { listener: 'preview' }), { v2: 200 }, 'the preview listener follows the new stable')

      const back = await w.admin.abort()
      assert.equal(back.status, 200)
      assert.deepEqual([back.body.phase, back.body.stable.name, back.body.canary?.name], ['Aborted', 'v1', 'v2'])
      assert.deepEqual(await w.count(500), { v1: 500 })
    })

    test('blue/green: a deploy inside the scale-down window starts a new rollout from the new stable, and ends the window', async (t) => {
      const [v1, v2, v3] = await backends(t, 'v1', 'v2', 'v3')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(30) }), workers })
      await w.routed()
      await w.admin.promote()
      const deploy = await w.admin.deploy({ name: 'v3', backends: [v3.url] })
      assert.equal(deploy.status, 201, JSON.stringify(deploy.body))
      assert.deepEqual([deploy.body.stable.name, deploy.body.canary?.name, deploy.body.scaleDownAt], ['v2', 'v3', null])
      const routed = await w.routed('v3')
      assert.equal(`${routed.phase}/${routed.reason}`, 'Paused/BlueGreenPause')
      assert.deepEqual(await w.count(200), { v2: 200 })
      assert.deepEqual(await w.count(200, { listener: 'preview' }), { v3: 200 })
    })

    test('blue/green: after the scale-down delay the old version is no longer a rollback target', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: manual(1) }), workers })
      await w.routed()
      await w.admin.promote()
      const over = await w.until('the scale-down window to end', (v) => v.phase === 'Healthy' && v.scaleDownAt === null, 4000)
      assert.equal(over.routing.stable, 'v2')
      assert.equal(over.routing.canary, null)
      assert.deepEqual(await w.count(200), { v2: 200 })
      const abort = await w.admin.abort()
      assert.equal(abort.status, 409, 'nothing left to abort once the window is over')
    })

    test('blue/green: autoPromotionSeconds flips by itself after the wait; with autoPromotionEnabled false it waits for promote', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const auto = (enabled: boolean): string => `blueGreen:\n  autoPromotionEnabled: ${enabled}\n  autoPromotionSeconds: 1\n  scaleDownDelaySeconds: 30`
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: auto(true) }), workers })
      const routed = await w.routed()
      assert.equal(`${routed.phase}/${routed.reason}`, 'Paused/BlueGreenPause')
      await w.eventually('Healthy', 'Promoted', 4000)
      assert.deepEqual(await w.count(200), { v2: 200 })

      const manualOnly = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: auto(false) }), workers })
      const waiting = await manualOnly.routed()
      assert.deepEqual([waiting.phase, waiting.pauseUntil], ['Paused', null])
      assert.equal((await manualOnly.admin.promote()).body.phase, 'Healthy')
    })
  })
}
