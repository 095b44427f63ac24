import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialBounds, seeded } from '../support/prng.js'
import { admin, backend, canaryRouted, countVersions, rampWith } from '../support/ramp.js'

const configAt = (v1: string, v2: string, weight: number): string => `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
weight: ${weight}
readiness: { intervalMs: 20 }
`

test('weight 20: 4 000 requests put v2 within 4 binomial standard deviations of 800', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, configAt(v1.url, v2.url, 20), { random: seeded(20) })
  await canaryRouted(ramp)
  const counts = await countVersions(ramp.urls.main, 4000)
  const { low, high } = binomialBounds(4000, 0.2)
  const onV2 = counts.v2 ?? 0
  assert.ok(onV2 >= low && onV2 <= high, `v2 got ${onV2}, expected ${low}..${high}`)
  assert.equal(onV2 + (counts.v1 ?? 0), 4000)
  assert.equal(v2.served() - 1 >= onV2, true, 'the backend saw every request the client counted (plus readiness probes)')
})

const edges = [
  { weight: 0, p: 0 },
  { weight: 100, p: 1 },
  { weight: 0.5, p: 0.005 },
] as const

for (const { weight, p } of edges) {
  test(`weight ${weight}: v2 share is ${p * 100}% within binomial bounds`, async (t) => {
    const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
    const ramp = await rampWith(t, configAt(v1.url, v2.url, weight), { random: seeded(7) })
    await canaryRouted(ramp)
    // 2 000 draws: at 0.5% that is 10 expected on v2, enough to see it is neither 0 nor drifting.
    const counts = await countVersions(ramp.urls.main, 2000)
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
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, configAt(v1.url, v2.url, 0))
  await canaryRouted(ramp)
  assert.deepEqual(await countVersions(ramp.urls.main, 50, 1), { v1: 50 })
  const res = await admin(ramp, 'PUT', '/api/v1/weight', { weight: 100 })
  assert.equal(res.status, 200)
  assert.deepEqual(await countVersions(ramp.urls.main, 50, 1), { v2: 50 })
  const back = await admin(ramp, 'PUT', '/api/v1/weight', { weight: 0 })
  assert.equal(back.status, 200)
  assert.deepEqual(await countVersions(ramp.urls.main, 50, 1), { v1: 50 })
})

const badWeights = [
  { name: 'above 100', body: { weight: 100.5 }, says: /weight: 100\.5 is above the maximum 100/ },
  { name: 'negative', body: { weight: -1 }, says: /weight: -1 is below the minimum 0/ },
  { name: 'three decimals', body: { weight: 20.555 }, says: /more than two decimals/ },
  { name: 'a string', body: { weight: '35' }, says: /weight: "35" is not a number/ },
  { name: 'missing', body: {}, says: /body\.weight: is required/ },
  { name: 'unknown key', body: { weight: 1, wieght: 2 }, says: /body\.wieght: unknown key/ },
  { name: 'malformed JSON', body: '{"weight": ', says: /JSON/ },
] as const

for (const c of badWeights) {
  test(`PUT /api/v1/weight with ${c.name} answers 400 naming the problem`, async (t) => {
    const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
    const ramp = await rampWith(t, configAt(v1.url, v2.url, 10))
    await canaryRouted(ramp)
    const res = await admin<{ error: string; message: string }>(ramp, 'PUT', '/api/v1/weight', c.body)
    assert.equal(res.status, 400)
    assert.equal(res.body.error, 'RAMP_ERR_ADMIN_BAD_REQUEST')
    assert.match(res.body.message, c.says)
    assert.equal(ramp.tables.current.weightBp, 1000, 'the weight did not move')
  })
}
