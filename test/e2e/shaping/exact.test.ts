import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

// No seeded random here on purpose: an exact split must not depend on the draw at all.
// With workers, the round robin is each worker's own: exact on every connection (a
// connection stays with one worker), and within one request per worker over many.

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('balance: exact at weight 20 puts exactly 20 of every 100 consecutive requests on v2', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: 'balance: exact' }), workers })
      await w.routed()
      const versions = await w.sequence(400)
      // Every window, not only 1-100, 101-200, ...: the round robin's period (5) divides 100.
      for (let start = 0; start + 100 <= versions.length; start++) {
        const onV2 = versions.slice(start, start + 100).filter((v) => v === 'v2').length
        assert.equal(onV2, 20, `requests ${start + 1}-${start + 100} had ${onV2} on v2`)
      }
      assert.equal(versions.filter((v) => v === 'v2').length, 80)
    })

    test(`balance: exact with 8 concurrent clients: ${workers === 1 ? 'exactly 200' : `200 ± ${workers - 1}`} of 1000 requests on v2`, async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: 'balance: exact' }), workers })
      await w.routed()
      const counts = await w.count(1000, { connections: 8 })
      // Each worker is within one request of 20% of what it served, so the sum is within
      // workers - 1 of 200 (it counts whole requests): exactly 200 for one process.
      const onV2 = counts.v2 ?? 0
      assert.ok(Math.abs(onV2 - 200) <= workers - 1, `${onV2} of 1000 on v2: ${JSON.stringify(counts)}`)
      assert.equal(onV2 + (counts.v1 ?? 0), 1000)
    })

    test('balance: exact leaves overridden requests out of the count, so they do not shift the split', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 12.5, more: 'balance: exact' }), workers })
      await w.routed()
      // Overrides interleaved with weighted requests on one connection: only the weighted ones
      // take a turn of the round robin (period 8 at 12.5%).
      const one = w.connection()
      const weighted: string[] = []
      for (let i = 0; i < 40; i++) {
        weighted.push(...await one.versions(1))
        assert.deepEqual(await one.versions(1, { 'x-ramp-version': 'always' }), ['v2'])
      }
      for (let start = 0; start + 8 <= weighted.length; start += 8) {
        assert.equal(weighted.slice(start, start + 8).filter((v) => v === 'v2').length, 1, `weighted requests ${start + 1}-${start + 8}`)
      }
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'weight', version: 'v2' }, 5), 5)
    })

    test('balance: exact follows a weight change at once, exact at the new weight', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: 'balance: exact' }), workers })
      await w.routed()
      // One connection across the change, so the round robin that moves is the one these requests took turns of.
      const one = w.connection()
      await one.versions(7)
      assert.equal((await w.admin.setWeight(50)).status, 200)
      const versions = await one.versions(100)
      assert.equal(versions.filter((v) => v === 'v2').length, 50)
      for (let i = 0; i + 2 <= versions.length; i += 2) assert.equal(versions.slice(i, i + 2).filter((v) => v === 'v2').length, 1, `pair ${i / 2 + 1}`)
    })
  })
}
