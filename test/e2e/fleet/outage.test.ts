import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { fleet, weightLags, within } from '../../support/world/fleet.js'
import { Redis } from 'ioredis'
import { selfSigned } from '../../support/certs.js'
import { startRedis } from '../../support/redis.js'
import type { World } from '../../support/world/world.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

test('Redis stopped under load: no request fails, admin writes answer 503 naming the store, status shows the error; once it answers, every instance converges within a second', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const [i1, i2, i3] = await fleet(t, redis, { config: release({ v1: v1.url, v2: v2.url, weight: 30 }) }) as [World, World, World]
  await Promise.all([i1, i2, i3].map((i) => i.routed('v2')))
  const loads = [i1, i2, i3].map((i) => i.load({ connections: 4, maxMs: 20_000 }))
  await sleep(300)
  redis.pause()
  try {
    await sleep(1200)
    const refused = await i2.admin.setWeight(60)
    assert.equal(refused.status, 503, JSON.stringify(refused.body))
    assert.match(String(refused.body.message), /redis 127\.0\.0\.1:\d+\/0 key fleet-/)
    const s = await i3.admin.status()
    assert.match(s.fleet?.store.error ?? '', /timed out/i)
    assert.equal(await i3.metric('ramp_fleet_store_up', { instance: 'i3' }), 0)
    for (const i of [i1, i2, i3]) assert.equal((await fetch(`${i.urls.admin}/readyz`)).status, 200, 'fail-static: still ready')
    await sleep(500)
  } finally {
    redis.resume()
  }
  const resumedAt = performance.now()
  await within('a write after Redis answers again', 1000, () => i2.admin.setWeight(60), (r) => r.status === 200)
  await Promise.all([i1, i3].map((i) => within('convergence', 1000 - (performance.now() - resumedAt), () => i.admin.status(), (s) => s.weight === 60)))
  await Promise.all(loads.map((l) => l.stop()))
  const seen = loads.flatMap((l) => l.seen)
  const failed = seen.filter((r) => r.status !== 200)
  assert.ok(seen.length > 300, `${seen.length} requests`)
  assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${seen.length} requests failed`)
  // The store error clears at the instance's next heartbeat (every second), which may come after the state converged.
  await within('the store error to clear', 1500, () => i1.admin.status(), (s) => s.fleet?.store.error === null)
})

test('Redis unreachable at start: the instance serves the config\'s stable version, says so, refuses writes with 503, and takes the stored rollout once Redis is up', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  await redis.stop()
  const [i1] = await fleet(t, redis, { count: 1, config: release({ v1: v1.url, v2: v2.url, weight: 40 }) }) as [World]
  assert.ok(i1.logs().some((l) => /cannot be reached: serving the config's stable version v1 alone until it can; retrying/.test(String(l.msg))), 'the log says what it serves')
  assert.deepEqual(await i1.count(20), { v1: 20 })
  const refused = await i1.admin.setWeight(10)
  assert.equal(refused.status, 503)
  assert.notEqual((await i1.admin.status()).fleet?.store.error, null)

  await redis.restart()
  await i1.until('the config\'s rollout, stored once Redis answers', (v) => v.canary?.name === 'v2' && v.weight === 40, 10_000)
  const counts = await i1.count(200)
  assert.ok((counts.v2 ?? 0) > 40 && (counts.v2 ?? 0) < 120, `v2 served ${counts.v2} of 200 at weight 40`)
})

test('rediss:// with the password from RAMP_REDIS_PASSWORD: the fleet stores its state over TLS, and a wrong password is named as Redis refused it', async (t) => {
  const cert = selfSigned(t)
  const redis = await startRedis(t, { tls: cert, password: 'fleet-secret' })
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const env = { RAMP_REDIS_PASSWORD: 'fleet-secret', NODE_EXTRA_CA_CERTS: cert.certPath }
  const [i1, i2] = await fleet(t, redis, { count: 2, key: 'tls-fleet', env, config: release({ v1: v1.url, v2: v2.url, weight: 0 }) }) as [World, World]
  await i1.routed('v2')
  assert.equal((await i1.admin.setWeight(25)).status, 200)
  await within('the weight on the other instance', 1000, () => i2.admin.status(), (s) => s.weight === 25)
  const [lag] = weightLags(i1, [i2], 25)
  assert.ok(lag !== undefined && lag <= 100, `applied ${lag} ms after the write (at most 100)`)
  const direct = new Redis(redis.url, { password: 'fleet-secret', tls: { ca: cert.cert } })
  t.after(() => direct.disconnect())
  assert.equal(await direct.hget('tls-fleet', 'revision'), String((await i1.rollout()).revision))

  const [wrong] = await fleet(t, redis, { count: 1, key: 'tls-fleet', env: { ...env, RAMP_REDIS_PASSWORD: 'nope' }, config: release({ v1: v1.url }) }) as [World]
  const s = await wrong.admin.status()
  assert.match(s.fleet?.store.error ?? '', /WRONGPASS|invalid username-password/i)
  assert.equal(s.canary, null, 'it serves the config\'s stable version alone')
})

test('a timed pause that comes due while Redis is stopped ends as soon as Redis answers again', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const [i1, i2] = await fleet(t, redis, { count: 2, config: release({ v1: v1.url, steps: ['setWeight: 50', 'pause: { duration: 2s }', 'setWeight: 100'] }) }) as [World, World]
  assert.equal((await i1.admin.deploy({ name: 'v2', backends: [v2.url] })).status, 201)
  const paused = await i2.until('the timed pause', (v) => v.phase === 'Paused' && v.pauseUntil !== null)
  redis.pause()
  try {
    // Past the deadline and past the lease: the leader has stepped down by now.
    await sleep(Math.max(0, Date.parse(paused.pauseUntil as string) - Date.now()) + 3500)
    assert.equal((await i1.rollout()).phase, 'Paused', 'nothing could be written meanwhile')
  } finally {
    redis.resume()
  }
  const resumedAt = Date.now()
  await i2.until('the promotion', (v) => v.phase === 'Healthy', 5000)
  const ended = (await i2.history()).find((e) => e.event === 'tick:pauseElapsed')
  assert.ok(ended !== undefined)
  assert.ok(Date.parse(ended.at) - resumedAt <= 2000, `the pause ended ${Date.parse(ended.at) - resumedAt} ms after Redis came back`)
})
