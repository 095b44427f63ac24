import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { tally } from '../../support/world/traffic.js'
import { seedFor, world, type World } from '../../support/world/world.js'

// Weight 0 and 100 are where the weight alone would send every request one way, so an
// override that wins there cannot be the weight's doing.
const pins = [
  { value: 'v2', weight: 0, want: 'v2' },
  { value: 'always', weight: 0, want: 'v2' },
  { value: 'v1', weight: 100, want: 'v1' },
  { value: 'never', weight: 100, want: 'v1' },
] as const

/**
 * Versions that served `n` requests sent with these headers, one at a time; with workers each
 * on a connection of its own, so that every worker takes some of them.
 */
async function served(w: World, headers: Record<string, string>, n = 30): Promise<Record<string, number>> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await w.send('/', { headers: w.workers > 1 ? { ...headers, connection: 'close' } : headers })
    assert.equal(r.status, 200)
    out.push(r.version)
  }
  return tally(out)
}

/**
 * Waits until /metrics has a routing decision for each of the `n` requests sent so far: with
 * workers, only then does a count that must stay 0 say something.
 */
async function allCounted(w: World, n: number): Promise<void> {
  assert.equal(await w.metricReaches('ramp_routing_decisions_total', {}, n), n, 'every request sent has its routing decision counted')
}

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    async function splitAt(t: TestContext, weight: number, more = ''): Promise<World> {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight, more: `log: { access: ${workers > 1} }\n${more}` }), workers, ...seedFor(workers, weight + 1) })
      await w.routed()
      return w
    }

    // One ramp per weight: each pin is a subtest on it, its counts read as running totals.
    for (const weight of [0, 100] as const) {
      test(`at weight ${weight}, each override pins its version: the header counted as reason="header", the cookie as reason="cookie"`, async (t) => {
        const w = await splitAt(t, weight)
        const expected = new Map<string, number>()
        let sent = 0
        for (const { value, want } of pins.filter((p) => p.weight === weight)) {
          const ways: Array<{ reason: string; name: string; headers: Record<string, string> }> = [
            { reason: 'header', name: `x-ramp-version: ${value}`, headers: { 'x-ramp-version': value } },
            { reason: 'cookie', name: `cookie ramp_version=${value}`, headers: { cookie: `theme=dark; ramp_version=${value}` } },
          ]
          for (const way of ways) {
            await t.test(`${way.name} reaches ${want}, counted as reason="${way.reason}"`, async () => {
              assert.deepEqual(await served(w, way.headers), { [want]: 30 })
              sent += 30
              const key = `${way.reason}|${want}`
              const n = (expected.get(key) ?? 0) + 30
              expected.set(key, n)
              assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: way.reason, version: want }, n), n)
              await allCounted(w, sent)
            })
          }
        }
        assert.equal(await w.metric('ramp_overrides_ignored_total'), 0)
        if (workers > 1) assert.equal((await w.cluster.workersThatServed(sent)).size, workers, 'every worker pinned some of them')
      })
    }

    test('an override naming a version not in the table is routed by the weight and counted as ignored', async (t) => {
      const w = await splitAt(t, 100)
      assert.deepEqual(await served(w, { 'x-ramp-version': 'v9' }, 20), { v2: 20 }, 'weight 100 decides')
      assert.deepEqual(await served(w, { cookie: 'ramp_version=v9' }, 10), { v2: 10 })
      assert.equal(await w.metricReaches('ramp_overrides_ignored_total', {}, 30), 30)
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'weight', version: 'v2' }, 30), 30)
      await allCounted(w, 30)
      assert.equal(await w.metric('ramp_routing_decisions_total', { reason: 'header' }), 0)
    })

    test('always with no canary in the table is ignored and counted, not an error', async (t) => {
      const [v1] = await backends(t, 'v1')
      const w = await world(t, { config: release({ v1: v1.url }), workers })
      assert.deepEqual(await served(w, { 'x-ramp-version': 'always' }, 10), { v1: 10 })
      assert.equal(await w.metricReaches('ramp_overrides_ignored_total', {}, 10), 10)
    })

    test('overrides: { header: false } turns the header off while the cookie still pins', async (t) => {
      const w = await splitAt(t, 0, 'overrides: { header: false }')
      assert.deepEqual(await served(w, { 'x-ramp-version': 'v2' }), { v1: 30 }, 'the header is an ordinary header now')
      await allCounted(w, 30)
      assert.equal(await w.metric('ramp_overrides_ignored_total'), 0, 'a header that is off is not read, so not ignored either')
      assert.deepEqual(await served(w, { cookie: 'ramp_version=v2' }, 10), { v2: 10 })
    })

    test('overrides: { cookie: false } turns the cookie off while the header still pins', async (t) => {
      const w = await splitAt(t, 0, 'overrides: { cookie: false }')
      assert.deepEqual(await served(w, { cookie: 'ramp_version=v2' }, 10), { v1: 10 })
      assert.deepEqual(await served(w, { 'x-ramp-version': 'v2' }, 10), { v2: 10 })
    })

    test('overrides with other names: the header and cookie named in the config pin, the default ones do not', async (t) => {
      const w = await splitAt(t, 0, 'overrides: { header: X-Canary, cookie: canary }')
      assert.deepEqual(await served(w, { 'x-canary': 'always' }, 10), { v2: 10 }, 'header names are case-insensitive')
      assert.deepEqual(await served(w, { cookie: 'canary=v2' }, 10), { v2: 10 })
      assert.deepEqual(await served(w, { 'x-ramp-version': 'v2', cookie: 'ramp_version=v2' }, 10), { v1: 10 })
    })

    test('the header beats the cookie, both ways', async (t) => {
      const at100 = await splitAt(t, 100)
      assert.deepEqual(await served(at100, { 'x-ramp-version': 'v1', cookie: 'ramp_version=v2' }), { v1: 30 })
      assert.equal(await at100.metricReaches('ramp_routing_decisions_total', { reason: 'header', version: 'v1' }, 30), 30)
      const at0 = await splitAt(t, 0)
      assert.deepEqual(await served(at0, { 'x-ramp-version': 'always', cookie: 'ramp_version=never' }), { v2: 30 })
      await allCounted(at0, 30)
      assert.equal(await at0.metric('ramp_routing_decisions_total', { reason: 'cookie' }), 0)
    })

    test('an ignored header falls through to a valid cookie, and is still counted', async (t) => {
      const w = await splitAt(t, 0)
      assert.deepEqual(await served(w, { 'x-ramp-version': 'v9', cookie: 'ramp_version=v2' }, 10), { v2: 10 })
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'cookie', version: 'v2' }, 10), 10)
      assert.equal(await w.metricReaches('ramp_overrides_ignored_total', {}, 10), 10)
    })
  })
}
