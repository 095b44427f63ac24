import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Pool } from 'undici'
import { binomialBounds } from '../../support/prng.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { answerAs, recorder } from '../../support/world/recorder.js'
import { seedFor, world } from '../../support/world/world.js'

const bucketCookie = /^ramp_bucket=(\d+); Path=\/; HttpOnly; SameSite=Lax; Max-Age=(\d+)$/

interface Client { bucket: number; version: string }

// A bucket comes from the cookie, the header or the address, never from the process: with
// workers every one decides a sticky request alike. Only a newcomer's bucket is drawn.
for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('a client without the cookie gets a bucket cookie, and sending it back keeps its version', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: 'stickiness: { cookie: ramp_bucket, maxAge: 1h }' }), workers, ...seedFor(workers, 11) })
      await w.routed()
      const first = await w.send()
      assert.equal(first.status, 200)
      const m = bucketCookie.exec(String(first.headers['set-cookie']))
      assert.ok(m !== null, `set-cookie: ${String(first.headers['set-cookie'])}`)
      assert.equal(m[2], '3600')
      const bucket = Number(m[1])
      // The newcomer's own request already runs on the bucket it was handed, so the cookie and
      // the first answer agree.
      const version = bucket < 2000 ? 'v2' : 'v1'
      assert.equal(first.version, version, `bucket ${bucket} at weight 20`)

      for (let i = 0; i < 40; i++) {
        const r = await w.send('/', { headers: { cookie: `ramp_bucket=${bucket}` } })
        assert.equal(r.version, version, `request ${i} with the cookie`)
        assert.equal(r.headers['set-cookie'], undefined, 'a client that has its bucket is not given another')
      }
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'sticky' }, 41), 41)
    })

    test('a default bucket cookie lasts 30 days, and a foreign cookie value still sticks to one side', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: 'stickiness: { cookie: ramp_bucket }' }), workers, ...seedFor(workers, 12) })
      await w.routed()
      const m = bucketCookie.exec(String((await w.send()).headers['set-cookie']))
      assert.equal(m?.[2], String(30 * 24 * 3600))
      const seen = new Set<string>()
      for (let i = 0; i < 20; i++) seen.add((await w.send('/', { headers: { cookie: 'ramp_bucket=not-a-number' } })).version)
      assert.equal(seen.size, 1, `one version for one foreign value, saw ${[...seen].join(', ')}`)
    })

    test("the bucket cookie goes alongside the backend's own cookies, and an override hands out none", async (t) => {
      const own = { 'set-cookie': ['session=abc; Path=/', 'theme=dark'] }
      const [v1, v2] = [await recorder(t, answerAs('v1', { headers: own })), await recorder(t, answerAs('v2', { headers: own }))]
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: 'stickiness: { cookie: ramp_bucket }' }), workers, ...seedFor(workers, 16) })
      await w.routed()
      const cookies = (await w.send()).headers['set-cookie'] as string[]
      assert.equal(cookies.length, 3, JSON.stringify(cookies))
      assert.ok(cookies.some((c) => bucketCookie.test(c)))
      assert.ok(cookies.includes('session=abc; Path=/') && cookies.includes('theme=dark'))
      // Pinned by hand, the client has not been given a side, so it is not handed one.
      assert.deepEqual((await w.send('/', { headers: { 'x-ramp-version': 'v2' } })).headers['set-cookie'], own['set-cookie'])
    })

    test('with real cookies, raising the weight only moves clients from v1 to v2, and an abort returns them all to v1', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 10, more: 'stickiness: { cookie: ramp_bucket }' }), workers, ...seedFor(workers, 13) })
      await w.routed()
      const pool = new Pool(w.urls.main, { connections: 16 })
      t.after(() => pool.close())
      const get = async (cookie?: string): Promise<{ version: string; setCookie: string | undefined }> => {
        const res = await pool.request({ method: 'GET', path: '/', headers: cookie === undefined ? {} : { cookie } })
        await res.body.dump()
        assert.equal(res.statusCode, 200)
        const sc = res.headers['set-cookie']
        return { version: String(res.headers['x-demo-version']), setCookie: sc === undefined ? undefined : String(sc) }
      }

      const n = 400
      const clients: Client[] = await Promise.all(Array.from({ length: n }, async () => {
        const r = await get()
        const m = bucketCookie.exec(r.setCookie ?? '')
        assert.ok(m !== null, `set-cookie: ${r.setCookie}`)
        return { bucket: Number(m[1]), version: r.version }
      }))
      const onV2 = clients.filter((c) => c.version === 'v2').length
      const { low, high } = binomialBounds(n, 0.1)
      assert.ok(onV2 >= low && onV2 <= high, `${onV2} of ${n} newcomers on v2 at weight 10, expected ${low}..${high}`)

      let previous = clients.map((c) => c.version)
      for (const weight of [30, 60, 100]) {
        assert.equal((await w.admin.setWeight(weight)).status, 200)
        const now = await Promise.all(clients.map(async (c) => (await get(`session=abc; ramp_bucket=${c.bucket}`)).version))
        now.forEach((v, i) => {
          const c = clients[i] as Client
          assert.equal(v, c.bucket < weight * 100 ? 'v2' : 'v1', `bucket ${c.bucket} at weight ${weight}`)
          if (previous[i] === 'v2') assert.equal(v, 'v2', `bucket ${c.bucket} went back to v1 when the weight rose to ${weight}`)
        })
        assert.ok(now.filter((v) => v === 'v2').length > previous.filter((v) => v === 'v2').length, `raising the weight to ${weight} moved someone`)
        previous = now
      }
      assert.ok(previous.every((v) => v === 'v2'), 'weight 100: everyone on v2')

      assert.equal((await w.admin.abort()).status, 200)
      const after = await Promise.all(clients.map(async (c) => (await get(`ramp_bucket=${c.bucket}`)).version))
      assert.deepEqual(new Set(after), new Set(['v1']), 'after the abort every sticky client is on v1')
    })

    test('lowering a sticky split to weight 0 returns every client to v1', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: 'stickiness: { cookie: ramp_bucket }' }), workers, ...seedFor(workers, 14) })
      await w.routed()
      assert.equal((await w.admin.setWeight(0)).status, 200)
      for (const bucket of [0, 1, 2500, 4999, 9999]) {
        assert.equal((await w.send('/', { headers: { cookie: `ramp_bucket=${bucket}` } })).version, 'v1', `bucket ${bucket}`)
      }
    })

    test('header stickiness: 1000 distinct users split within 4-sigma binomial bounds of the weight, each on one side', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 30, more: 'stickiness: { header: X-User-Id }' }), workers, ...seedFor(workers, 15) })
      await w.routed()
      const pool = new Pool(w.urls.main, { connections: 16 })
      t.after(() => pool.close())
      const versionOf = async (user: string): Promise<string> => {
        const res = await pool.request({ method: 'GET', path: '/', headers: { 'x-user-id': user } })
        await res.body.dump()
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['set-cookie'], undefined, 'header stickiness sets no cookie')
        return String(res.headers['x-demo-version'])
      }
      const n = 1000
      const users = Array.from({ length: n }, (_, i) => `user-${i}@example.com`)
      const first = await Promise.all(users.map(versionOf))
      const again = await Promise.all(users.map(versionOf))
      assert.deepEqual(again, first, 'every user got the same version twice')
      const onV2 = first.filter((v) => v === 'v2').length
      const { low, high } = binomialBounds(n, 0.3)
      assert.ok(onV2 >= low && onV2 <= high, `${onV2} of ${n} users on v2 at weight 30, expected ${low}..${high}`)
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'sticky' }, 2 * n), 2 * n)
      assert.equal((await w.send()).status, 200)
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'weight' }, 1), 1, 'a request without the header goes by the weight')
    })

    test('client address stickiness keeps every request from one address on one side', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: 'stickiness: { clientAddress: true }' }), workers, ...seedFor(workers, 17) })
      await w.routed()
      // Over several connections, so the side cannot come from the connection (nor, with workers, from the process).
      const seen = new Set<string>()
      for (let i = 0; i < 20; i++) {
        const r = await w.send('/', { headers: { connection: 'close' } })
        assert.equal(r.headers['set-cookie'], undefined)
        seen.add(r.version)
      }
      assert.equal(seen.size, 1, `127.0.0.1 was served by ${[...seen].join(' and ')}`)
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'sticky' }, 20), 20)
    })
  })
}
