import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { binomialBounds } from '../support/prng.js'
import { backends } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { tally } from '../support/world/traffic.js'
import { seedFor, world } from '../support/world/world.js'

const edges = [
  { weight: 0, p: 0 },
  { weight: 100, p: 1 },
  { weight: 0.5, p: 0.005 },
] as const

const badWeights = [
  { name: 'above 100', body: { weight: 100.5 }, says: /weight: 100\.5 is above the maximum 100/ },
  { name: 'negative', body: { weight: -1 }, says: /weight: -1 is below the minimum 0/ },
  { name: 'three decimals', body: { weight: 20.555 }, says: /more than two decimals/ },
  { name: 'a string', body: { weight: '35' }, says: /weight: "35" is not a number/ },
  { name: 'missing', body: {}, says: /body\.weight: is required/ },
  { name: 'unknown key', body: { weight: 1, wieght: 2 }, says: /body\.wieght: unknown key/ },
  { name: 'malformed JSON', body: '{"weight": ', says: /JSON/ },
] as const

// Each worker draws for the requests it serves, so the share of v2 is binomial whatever the
// number of workers: the same bounds hold at 2 workers, only without a seed.
for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('weight 20: 4 000 requests put v2 within 4 binomial standard deviations of 800', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20 }), workers, ...seedFor(workers, 20) })
      await w.routed()
      const counts = await w.count(4000)
      const { low, high } = binomialBounds(4000, 0.2)
      const onV2 = counts.v2 ?? 0
      assert.ok(onV2 >= low && onV2 <= high, `v2 got ${onV2}, expected ${low}..${high}`)
      assert.equal(onV2 + (counts.v1 ?? 0), 4000)
      assert.equal(v2.served() - 1 >= onV2, true, 'the backend saw every request the client counted (plus readiness probes)')
    })

    for (const { weight, p } of edges) {
      test(`weight ${weight}: v2 share is ${p * 100}% within binomial bounds`, async (t) => {
        const [v1, v2] = await backends(t, 'v1', 'v2')
        const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight }), workers, ...seedFor(workers, 7) })
        await w.routed()
        // 2 000 draws: at 0.5% that is 10 expected on v2, enough to see it is neither 0 nor drifting.
        const counts = await w.count(2000)
        const onV2 = counts.v2 ?? 0
        if (p === 0) assert.equal(onV2, 0)
        else if (p === 1) assert.equal(onV2, 2000)
        else {
          const { low, high } = binomialBounds(2000, p)
          assert.ok(onV2 >= low && onV2 <= high && onV2 > 0, `v2 got ${onV2}, expected ${low}..${high}`)
        }
      })
    }

    test('a weight change takes effect on the very next request, on the same keep-alive connection', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0 }), workers })
      await w.routed()
      const kept = w.connection()
      assert.deepEqual(tally(await kept.versions(50)), { v1: 50 })
      const res = await w.admin.call('PUT', '/api/v1/weight', { weight: 100 })
      assert.equal(res.status, 200)
      assert.deepEqual(tally(await kept.versions(50)), { v2: 50 })
      const back = await w.admin.call('PUT', '/api/v1/weight', { weight: 0 })
      assert.equal(back.status, 200)
      assert.deepEqual(tally(await kept.versions(50)), { v1: 50 })
    })

    test('PUT /api/v1/weight with a bad body answers 400 naming the problem, and the weight does not move', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 10 }), workers })
      await w.routed()
      for (const c of badWeights) {
        await t.test(c.name, async () => {
          const res = await w.admin.call<{ error: string; message: string }>('PUT', '/api/v1/weight', c.body)
          assert.equal(res.status, 400)
          assert.equal(res.body.error, 'RAMP_ERR_ADMIN_BAD_REQUEST')
          assert.match(res.body.message, c.says)
          assert.equal((await w.rollout()).routing.weight, 10, 'the weight did not move')
        })
      }
    })
  })
}
