import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend, backends } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { world } from '../support/world/world.js'

const cases = [
  { access: 'false', n: 200, check: (count: number) => assert.equal(count, 0) },
  { access: 'true', n: 200, check: (count: number) => assert.equal(count, 200) },
  // 10 % of 2000: binomial sd is 13.4, so 4 sd either side is 146..254.
  { access: '0.1', n: 2000, check: (count: number) => assert.ok(count >= 146 && count <= 254, `${count} lines`) },
] as const

for (const c of cases) {
  test(`log.access: ${c.access} logs ${c.access === 'false' ? 'no' : c.access === 'true' ? 'every' : 'a sampled'} request`, async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const w = await world(t, { config: release({ v1: v1.url, more: `log: { access: ${c.access} }` }), logLevel: 'info', seed: 3 })
    await w.count(c.n)
    await new Promise((r) => setImmediate(r))
    c.check(w.access().length)
    if (c.access === 'true') {
      const line = w.access()[0] as unknown as Record<string, unknown>
      assert.deepEqual(Object.keys(line).sort(), ['backend', 'completed', 'listener', 'method', 'ms', 'reason', 'status', 'url', 'version'])
      assert.equal(line.version, 'v1')
      assert.equal(line.status, 200)
    }
  })
}

test('rollout-relevant events are logged, one line each: start, readiness, weight change, listening', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: 'canary:\n  steps: [ { setWeight: 20 }, { pause: {} } ]' }), logLevel: 'info' })
  await w.routed()
  assert.equal((await w.admin.setWeight(30)).status, 200)
  const events = w.logs().flatMap((l) => (l.rollout === undefined ? [] : [(l.rollout as { event: string }).event]))
  assert.deepEqual(events, ['start', 'ready', 'setWeight'])
  assert.ok(w.logs().some((l) => l.msg.startsWith('ramp listening')))
})
