import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { seeded } from '../../support/prng.js'
import { served } from './served.js'
import { split } from './split.js'

/** While no request may reach `version`: from the answer of the call that removed it to the sending of the next call. */
interface Removed { version: string; from: number; until: number }

test('100 weight changes and 20 flips under 200 keep-alive connections on 2 workers: every request 200, none that started after a flip answered reaches the version it removed', async (t) => {
  const { w } = await split(t, 50)
  const traffic = w.load({ connections: 200 })
  await delay(300)

  const random = seeded(7)
  const removed: Removed[] = []
  const setWeight = async (weight: number): Promise<void> => {
    const sentAt = performance.now()
    const last = removed.at(-1)
    if (last !== undefined && last.until === Infinity) last.until = sentAt
    const res = await w.admin.setWeight(weight)
    const answeredAt = performance.now()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    if (weight === 0) removed.push({ version: 'v2', from: answeredAt, until: Infinity })
    if (weight === 100) removed.push({ version: 'v1', from: answeredAt, until: Infinity })
  }
  let changes = 0
  for (let flip = 0; flip < 20; flip++) {
    for (let i = 0; i < 5; i++, changes++) {
      await setWeight(1 + Math.floor(random() * 99))
      await delay(10)
    }
    await setWeight(flip % 2 === 0 ? 100 : 0)
    // Held a while, so that many requests start on the flipped table (a hundred or more at this load).
    await delay(60)
  }
  await traffic.stop()
  const last = removed.at(-1)
  if (last !== undefined && last.until === Infinity) last.until = performance.now()

  const { seen } = traffic
  const failed = seen.filter((s) => s.error !== null || s.status !== 200)
  assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${seen.length} requests failed`)
  let checked = 0
  for (const r of removed) {
    const during = seen.filter((s) => s.startedAt > r.from && s.startedAt < r.until)
    assert.ok(during.length > 0, 'requests started while the version was removed')
    checked += during.length
    const strays = during.filter((s) => s.version === r.version)
    assert.deepEqual(strays.slice(0, 3), [], `${strays.length} of ${during.length} requests started after the call removing ${r.version} answered were served by it`)
  }
  t.diagnostic(`${changes} weight changes, ${removed.length} flips, ${seen.length} requests, ${checked} of them while a version was removed`)
  assert.equal(changes, 100)
  assert.equal(removed.length, 20)
})

test('a weight change answers only once every worker applied it: with one worker stopped (SIGSTOP) the call waits, and answers once it runs again', async (t) => {
  const { w } = await split(t, 0, { access: true })
  const [stopped] = w.cluster.pids()
  assert.ok(stopped !== undefined)
  const resume = w.cluster.sigstop(stopped)
  let answeredAt = 0
  const call = w.admin.setWeight(100).finally(() => { answeredAt = performance.now() })
  // Well within the 5 s after which the primary gives up on a worker and replaces it.
  await delay(1000)
  assert.equal(answeredAt, 0, 'answered while a worker could not have applied it')
  const resumedAt = performance.now()
  resume()
  assert.equal((await call).status, 200)
  assert.ok(answeredAt > resumedAt)

  for (let i = 0; i < 20; i++) assert.equal((await w.send(`/?after=${i}`, { headers: { connection: 'close' } })).version, 'v2', `request ${i} after the answer`)
  const lines = await served(w, '/?after=', 20)
  assert.ok(lines.some((a) => a.worker === stopped), 'the worker that was stopped served some of them')
})
