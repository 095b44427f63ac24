import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend, backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { fleet } from '../../support/world/fleet.js'
import { kill9, spawnRamp } from '../../support/world/process.js'
import { startRedis } from '../../support/redis.js'
import type { World } from '../../support/world/world.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `read` every 2 ms until `ok`; the ms it took, or a failure naming the last value. */
async function within<T>(what: string, ms: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<number> {
  const started = performance.now()
  let last: T = await read()
  while (!ok(last)) {
    if (performance.now() - started > 10_000) assert.fail(`${what}: still ${JSON.stringify(last)} after 10 s`)
    await sleep(2)
    last = await read()
  }
  const took = performance.now() - started
  assert.ok(took <= ms, `${what} took ${took.toFixed(0)} ms (at most ${ms})`)
  return took
}

async function leaderOf(instances: World[]): Promise<World> {
  const s = await instances[0]?.admin.status()
  const name = s?.fleet?.leader
  const i = Number(/^i(\d+)$/.exec(name ?? '')?.[1])
  const leader = instances[i - 1]
  if (leader === undefined) assert.fail(`no leader named in ${JSON.stringify(s?.fleet)}`)
  return leader
}

test('a weight change through one instance is in the table of every other within 100 ms, and each serves it; status lists the instances and the leader', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const [i1, i2, i3] = await fleet(t, redis, { config: release({ v1: v1.url, v2: v2.url, weight: 0 }) }) as [World, World, World]
  await i1.routed('v2')
  await Promise.all([i2.routed('v2'), i3.routed('v2')])

  const answer = await i1.admin.setWeight(100)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  const tookMs = await Promise.all([i2, i3].map((i) => within('the weight on another instance', 100, () => i.admin.status(), (s) => s.weight === 100)))
  t.diagnostic(`applied by the others after ${tookMs.map((ms) => ms.toFixed(1)).join(' and ')} ms`)
  for (const i of [i1, i2, i3]) assert.deepEqual(await i.count(20), { v2: 20 })

  const s = await i2.admin.status()
  assert.equal(s.fleet?.instance, 'i2')
  assert.deepEqual(s.fleet?.instances.map((x) => x.name), ['i1', 'i2', 'i3'])
  assert.equal(s.fleet?.instances.filter((x) => x.leader).length, 1)
  assert.equal(s.fleet?.instances.find((x) => x.leader)?.name, s.fleet?.leader)
  assert.deepEqual(s.fleet?.instances.map((x) => x.address), [i1, i2, i3].map((i) => i.urls.admin))
  assert.equal(s.fleet?.store.connected, true)

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
    for (const i of [i1, i2]) await within(`round ${round}: the later answer's weight on every instance`, 100, () => i.admin.status(), (s) => s.weight === second.weight)
  }
  const weights = (await i2.history()).filter((e) => e.event === 'setWeight').slice(-200).map((e) => e.detail)
  assert.equal(weights.length, 200, 'every one of the 200 writes is in the history')
})

test('kill -9 the leader during a 10 s timed pause: another instance takes the lease and ends the pause within a second of its deadline', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const instances = await fleet(t, redis, { config: release({ v1: v1.url, steps: ['setWeight: 50', 'pause: { duration: 10s }', 'setWeight: 100'] }) })
  const leader = await leaderOf(instances)
  const other = instances.find((i) => i !== leader) as World
  const deployed = await other.admin.deploy({ name: 'v2', backends: [v2.url] })
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body))
  const paused = await other.until('the timed pause', (v) => v.phase === 'Paused' && v.pauseUntil !== null)
  const deadline = Date.parse(paused.pauseUntil as string)
  await sleep(1000)
  await kill9(leader.proc)
  const survivors = instances.filter((i) => i !== leader)
  const done = await survivors[0]?.until('the promotion', (v) => v.phase === 'Healthy', 15_000)
  const endedAt = Date.parse((await survivors[0]?.history() ?? []).findLast((e) => e.event === 'tick:pauseElapsed')?.at ?? '')
  assert.equal(done?.stable.name, 'v2')
  assert.ok(Math.abs(endedAt - deadline) <= 1000, `the pause ended ${endedAt - deadline} ms after its deadline`)
  const killed = `i${instances.indexOf(leader) + 1}`
  const status = await survivors[0]?.admin.status()
  assert.ok(status?.fleet?.leader !== killed && /^i[123]$/.test(status?.fleet?.leader ?? ''), `a survivor leads, not ${killed}: ${status?.fleet?.leader}`)
  assert.equal(status?.fleet?.instances.find((x) => x.name === killed)?.leader, false)
  for (const i of survivors) assert.deepEqual(await i.count(10), { v2: 10 })
})

test('analysis judges the sum of every instance: a canary whose errors are spread over three instances, none of them with minRequests alone, is aborted', async (t) => {
  const redis = await startRedis(t)
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 1 })
  const config = release({
    v1: v1.url,
    steps: ['setWeight: 50', 'analysis: { templates: [canary-health] }', 'setWeight: 100'],
    more: `analysis:
  templates:
    - name: canary-health
      interval: 1s
      count: 10
      failureLimit: 0
      inconclusiveLimit: 9
      minRequests: 45
      window: 5s
      metrics:
        - { name: success-rate, builtin: successRate, thresholdRange: { min: 0.9 } }`,
  })
  const instances = await fleet(t, redis, { config })
  const deployed = await instances[0]?.admin.deploy({ name: 'v2', backends: [v2.url] })
  assert.equal(deployed?.status, 201, JSON.stringify(deployed?.body))
  await instances[0]?.until('the analysis', (v) => v.reason === 'RunningAnalysis')
  // 40 requests through each instance: about 20 reach the canary on each, 60 in all.
  for (const i of instances) for (let n = 0; n < 40; n++) await i.send('/')
  const aborted = await instances[1]?.eventually('Aborted', undefined, 10_000)
  assert.match(aborted?.message ?? '', /success-rate/)
  t.diagnostic(JSON.stringify((await instances[1]?.rollout())?.analysis.lastVerdict))
  const leader = await leaderOf(instances)
  const measured = (await leader.rollout()).analysis.last[0]?.templates[0]?.measurements['success-rate'] ?? []
  const last = measured[measured.length - 1]
  assert.match(last?.message ?? '', /from 3 instances/, `the measurement names its sources: ${last?.message}`)
  assert.ok((last?.sampleSize ?? 0) >= 45, `judged over ${last?.sampleSize} canary requests`)
  assert.ok((last?.sampleSize ?? 0) <= 60)
})

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
  assert.equal((await i1.admin.status()).fleet?.store.error, null)
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
