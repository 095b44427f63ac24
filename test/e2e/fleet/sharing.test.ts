import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { fleet, leaderOf, weightLags, within } from '../../support/world/fleet.js'
import { spawnRamp } from '../../support/world/process.js'
import { startRedis } from '../../support/redis.js'
import { waitFor } from '../../support/world/eventually.js'
import { hook } from '../gates/hook.js'
import type { World } from '../../support/world/world.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('a weight change through one instance is in the table of every other within 100 ms, and each serves it; status lists the instances and the leader', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const [i1, i2, i3] = await fleet(t, redis, { config: release({ v1: v1.url, v2: v2.url, weight: 0 }) }) as [World, World, World]
  await i1.routed('v2')
  await Promise.all([i2.routed('v2'), i3.routed('v2')])

  const answer = await i1.admin.setWeight(100)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  await Promise.all([i2, i3].map((i) => within('the weight on another instance', 1000, () => i.admin.status(), (s) => s.weight === 100)))
  const lags = weightLags(i1, [i2, i3], 100)
  t.diagnostic(`applied by the others ${lags.join(' and ')} ms after the instance that wrote it`)
  for (const lag of lags) assert.ok(lag <= 100, `applied ${lag} ms after the write (at most 100)`)
  for (const i of [i1, i2, i3]) assert.deepEqual(await i.count(20), { v2: 20 })

  // Each instance reads the others' presence once a second.
  await within('every instance listed', 3000, () => i2.admin.status(), (x) => x.fleet?.instances.length === 3)
  const s = await i2.admin.status()
  assert.equal(s.fleet?.instance, 'i2')
  assert.deepEqual(s.fleet?.instances.map((x) => x.name), ['i1', 'i2', 'i3'])
  assert.equal(s.fleet?.instances.filter((x) => x.leader).length, 1)
  assert.equal(s.fleet?.instances.find((x) => x.leader)?.name, s.fleet?.leader)
  assert.deepEqual(s.fleet?.instances.map((x) => x.address), [i1, i2, i3].map((i) => i.urls.admin))
  assert.equal(s.fleet?.store.connected, true)
  for (const [n, i] of [i1, i2, i3].entries()) {
    assert.equal(await i.metric('ramp_fleet_leader', { instance: `i${n + 1}` }), s.fleet?.leader === `i${n + 1}` ? 1 : 0)
    assert.equal(await i.metric('ramp_fleet_store_up', { instance: `i${n + 1}` }), 1)
  }

  const cli = spawnRamp(t, ['status', '--admin', i2.urls.admin])
  assert.equal((await cli.exit).code, 0, cli.stderr())
  const lines = cli.stdout().split('\n')
  assert.match(lines.find((l) => l.startsWith('Fleet:')) ?? '', /redis 127\.0\.0\.1:\d+\/0 key fleet-/)
  for (const [n, i] of [i1, i2, i3].entries()) {
    const line = lines.find((l) => l.includes(` i${n + 1} `))
    assert.match(line ?? '', new RegExp(`${i.urls.admin}  seen \\d+(ms|s) ago`), `ramp status lists i${n + 1}: ${line}`)
  }
  assert.equal(lines.filter((l) => / leader /.test(l)).length, 1)
})

test('conflicting verbs on two instances at the same moment, 100 times: no update is lost and every answer matches the stored history', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const [i1, i2] = await fleet(t, redis, { count: 2, config: release({ v1: v1.url, v2: v2.url, weight: 0 }) }) as [World, World]
  await i1.routed('v2')
  const start = (await i1.rollout()).revision
  for (let round = 0; round < 100; round++) {
    const a = 2 * (round % 49) + 1
    const b = a + 1
    const [ra, rb] = await Promise.all([i1.admin.setWeight(a), i2.admin.setWeight(b)])
    assert.equal(ra.status, 200, JSON.stringify(ra.body))
    assert.equal(rb.status, 200, JSON.stringify(rb.body))
    // Both were written, one after the other: two revisions, and the later one holds.
    const [first, second] = [ra.body, rb.body].sort((x, y) => x.revision - y.revision) as [typeof ra.body, typeof rb.body]
    assert.equal(second.revision - first.revision, 1, `round ${round}: revisions ${first.revision} and ${second.revision}`)
    assert.equal(second.revision, start + 2 * round + 2)
    for (const i of [i1, i2]) await within(`round ${round}: the later answer's weight on every instance`, 1000, () => i.admin.status(), (s) => s.weight === second.weight)
  }
  const weights = (await i2.history()).filter((e) => e.event === 'setWeight').slice(-200).map((e) => e.detail)
  assert.equal(weights.length, 200, 'every one of the 200 writes is in the history')
})

test('event webhooks of a fleet are called once per change, by the leader, whichever instance made it', async (t) => {
  const redis = await startRedis(t)
  const h = await hook(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const config = release({ v1: v1.url, steps: ['setWeight: 20', 'pause: {}'], more: { webhooks: [{ name: 'watch', type: 'event', url: `${h.url}/watch`, timeout: '2s' }] } })
  const instances = await fleet(t, redis, { config })
  const leader = await leaderOf(instances)
  const [a, b] = instances.filter((i) => i !== leader) as [World, World]
  assert.equal((await a.admin.deploy({ name: 'v2', backends: [v2.url] })).status, 201)
  await b.until('the pause', (v) => v.phase === 'Paused')
  assert.equal((await b.admin.promote()).status, 200)
  await a.until('the promotion', (v) => v.phase === 'Healthy')
  const history = await leader.history()
  assert.deepEqual(history.map((e) => e.event), ['start', 'ready', 'promote'])
  await waitFor('a call per history entry', () => h.to('/watch').length >= history.length, 10_000)
  await sleep(1000)
  assert.deepEqual(h.to('/watch').map((c) => c.body?.event).sort(), history.map((e) => e.event).sort(), 'each change once, not once per instance')
})
