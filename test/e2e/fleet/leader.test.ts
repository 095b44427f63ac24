import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Redis } from 'ioredis'
import { backend, backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { eventually } from '../../support/world/eventually.js'
import { fleet, fleetConfig, leaderOf } from '../../support/world/fleet.js'
import { kill9 } from '../../support/world/process.js'
import { startRedis } from '../../support/redis.js'
import { world, type World } from '../../support/world/world.js'

// An exact split, so each instance's canary count is known and a sum can be told from a double count.
const analysed = (v1: string): string => release({
  v1,
  steps: ['setWeight: 50', 'analysis: { templates: [canary-health] }', 'setWeight: 100'],
  more: `balance: exact
analysis:
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

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
  const config = analysed(v1.url)
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
  // The split is exact per instance: 40 picks at 50% are 20 canary ones, 21 when its sequence starts on it.
  assert.ok((last?.sampleSize ?? 0) <= 63, `judged over ${last?.sampleSize} canary requests, more than were sent: ${last?.message}`)
})

test('a leader frozen past its lease (SIGSTOP) is replaced, and once it wakes its stale writes are fenced off: the pause ends once, on time', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const instances = await fleet(t, redis, { count: 2, config: release({ v1: v1.url, steps: ['setWeight: 50', 'pause: { duration: 6s }', 'setWeight: 100'] }) })
  const leader = await leaderOf(instances)
  const other = instances.find((i) => i !== leader) as World
  assert.equal((await other.admin.deploy({ name: 'v2', backends: [v2.url] })).status, 201)
  const paused = await other.until('the timed pause', (v) => v.phase === 'Paused' && v.pauseUntil !== null)
  const deadline = Date.parse(paused.pauseUntil as string)
  leader.proc.child.kill('SIGSTOP')
  try {
    await other.until('the promotion by the new leader', (v) => v.phase === 'Healthy', 15_000)
  } finally {
    leader.proc.child.kill('SIGCONT')
  }
  await leader.until('the woken instance to converge', (v) => v.phase === 'Healthy', 5000)
  await sleep(1500)
  const history = await other.history()
  const ended = history.filter((e) => e.event === 'tick:pauseElapsed')
  assert.equal(ended.length, 1, `the pause ended once: ${JSON.stringify(history.map((e) => e.event))}`)
  assert.ok(Math.abs(Date.parse(ended[0]?.at ?? '') - deadline) <= 1000, `ended ${Date.parse(ended[0]?.at ?? '') - deadline} ms after its deadline`)
  const s = await leader.admin.status()
  assert.equal(s.fleet?.leader, s.fleet?.instances.find((i) => i.address === other.urls.admin)?.name, 'the instance that took over keeps the lease')
  assert.equal((await leader.rollout()).revision, (await other.rollout()).revision)
})

test('an instance running workers is one member of the fleet: its workers serve the shared weight, and their traffic counts in the fleet\'s analysis', async (t) => {
  const redis = await startRedis(t)
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 1 })
  const config = analysed(v1.url)
  const key = `fleet-${Date.now()}`
  const [plain] = await fleet(t, redis, { count: 1, key, config }) as [World]
  const withWorkers = await world(t, { workers: 2, config: fleetConfig(config, redis.url, key, 'i2') })
  assert.deepEqual((await withWorkers.admin.status()).fleet?.instances.map((i) => i.name), ['i1', 'i2'])
  assert.equal((await plain.admin.deploy({ name: 'v2', backends: [v2.url] })).status, 201)
  await withWorkers.until('the analysis, seen by the primary', (v) => v.reason === 'RunningAnalysis' && v.weight === 50)
  // 30 canary requests through the workers and 20 through the other instance: 50 reach minRequests 45 only together.
  for (let n = 0; n < 60; n++) await withWorkers.send('/')
  for (let n = 0; n < 40; n++) await plain.send('/')
  await plain.eventually('Aborted', undefined, 10_000)
  const leader = (await plain.admin.status()).fleet?.leader === 'i1' ? plain : withWorkers
  const measured = (await leader.rollout()).analysis.last[0]?.templates[0]?.measurements['success-rate'] ?? []
  assert.match(measured.at(-1)?.message ?? '', /\(from 2 instances\) over \d+ requests/)
})

/** How many times Redis ran `command` since its counts were last reset. */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats')
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0)
}

// Each measurement of each builtin metric made the leader run a whole heartbeat (announce
// itself, read the instance list and the revision) to get the fleet's rows.
test('the leader\'s analysis takes the fleet\'s rows without a heartbeat per measurement: the instance list is read once a second per instance, however many metrics measure', async (t) => {
  const redis = await startRedis(t)
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const metrics = ['successRate', 'errorRate', 'latencyP50', 'latencyP90', 'latencyP99', 'requestRate']
    .map((b) => `        - { name: m-${b}, builtin: ${b}, thresholdRange: { min: 0 } }`).join('\n')
  const config = release({
    v1: v1.url,
    steps: ['setWeight: 50', 'analysis: { templates: [busy] }'],
    more: `analysis:\n  templates:\n    - name: busy\n      interval: 100ms\n      window: 1s\n      inconclusiveLimit: 1000\n      metrics:\n${metrics}`,
  })
  const instances = await fleet(t, redis, { count: 2, config })
  const direct = new Redis(redis.url)
  t.after(() => direct.disconnect())
  assert.equal((await instances[0]?.admin.deploy({ name: 'v2', backends: [v2.url] }))?.status, 201)
  const leader = await leaderOf(instances)
  const traffic = instances.map((i) => i.load({ connections: 1 }))
  const measurements = async (): Promise<Array<{ message: string }>> => (await leader.rollout()).analysis.current[0]?.templates[0]?.measurements['m-requestRate'] ?? []
  await eventually('the first measurement', measurements, (m) => m.length > 0, 10_000)
  await direct.config('RESETSTAT')
  const started = performance.now()
  await sleep(2000)
  const [reads, takes] = [await calls(direct, 'hgetall'), await calls(direct, 'lrange')]
  const seconds = (performance.now() - started) / 1000
  await Promise.all(traffic.map((l) => l.stop()))
  t.diagnostic(`${reads} reads of the instance list and ${takes} of row lists in ${seconds.toFixed(1)} s`)
  // Six metrics every 100 ms made about 60 heartbeats a second on the leader alone.
  assert.ok(reads <= 2 * Math.ceil(seconds) + 2, `${reads} reads of the instance list in ${seconds.toFixed(1)} s by 2 instances`)
  assert.ok(takes >= 2 * 6 * seconds, `the rows are still taken for each measurement: ${takes} list reads`)
  assert.match((await measurements()).at(-1)?.message ?? '', /from 2 instances/, 'the analysis still sees every instance\'s rows')
})
