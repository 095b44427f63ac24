import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { waitFor } from '../../support/world/eventually.js'
import { served } from './served.js'
import { split } from './split.js'

const connections = 50

test('kill -9 of one of 2 workers under load: the other keeps serving, /readyz stays 200, a new worker takes its place and serves the current table', async (t) => {
  const { w } = await split(t, 30, { access: true })
  const { cluster } = w
  const [victim, survivor, ...more] = cluster.pids()
  assert.ok(victim !== undefined && survivor !== undefined && more.length === 0, `workers: ${cluster.pids().join(', ')}`)

  const traffic = w.load({ connections })
  const ready: Array<{ at: number; status: number }> = []
  let watching = true
  const watch = (async () => {
    while (watching) {
      const { status } = await w.admin.call('GET', '/readyz')
      ready.push({ at: performance.now(), status })
      await delay(20)
    }
  })()
  await delay(500)
  // The replacement must start from the table in force, not from the one the primary started with.
  assert.equal((await w.admin.setWeight(100)).status, 200)
  // Every client connection open on one worker or the other, none still being handed over.
  await waitFor('every connection on a worker', () => cluster.connections(victim) + cluster.connections(survivor) === connections)
  const held = cluster.connections(victim)
  const replaced = cluster.kill9(victim)
  const killedAt = performance.now()
  const replacement = await replaced
  const servingAt = performance.now()
  assert.deepEqual(cluster.pids().sort(), [survivor, replacement].sort(), 'two workers again: the survivor and the new one')
  const died = w.logs().filter((l) => (l.worker as { pid?: number } | undefined)?.pid === victim && l.level === 50)
  assert.equal(died.length, 1, 'the death is logged once, as an error')
  assert.match(died[0]?.msg ?? '', new RegExp(`^worker \\d+ \\(pid ${victim}\\) died \\(SIGKILL\\) after \\d+ ms; the others keep serving; a new one starts in 100 ms$`))
  await delay(300)
  await traffic.stop()
  watching = false
  await watch

  const { seen } = traffic
  const failed = seen.filter((s) => s.error !== null || s.status !== 200)
  t.diagnostic(`${seen.length} requests, ${failed.length} failed (${[...new Set(failed.map((f) => f.error ?? f.status))].join(', ')}), the killed worker held ${held} connections, replaced in ${Math.round(servingAt - killedAt)} ms, ${ready.length} /readyz polls`)
  // A client connection has one request in flight at a time (pipelining 1), and a connection
  // the killed worker held ends with it: each can fail the one request it carried, no more,
  // and the survivor's connections none.
  assert.ok(failed.length <= held, `${failed.length} requests failed, the killed worker held ${held} connections`)
  assert.ok(failed.every((f) => f.startedAt < servingAt), 'nothing failed once the new worker served')
  const afterKill = seen.filter((s) => s.startedAt > killedAt && s.status === 200)
  assert.ok(afterKill.some((s) => s.endedAt < servingAt), 'the survivor served while the new worker started')
  assert.deepEqual(afterKill.filter((s) => s.version !== 'v2'), [], 'weight 100 held on every worker')
  assert.deepEqual(ready.filter((r) => r.status !== 200), [], '/readyz stays 200')
  assert.ok(ready.some((r) => r.at > killedAt && r.at < servingAt), '/readyz was asked while one worker served')

  // Fresh connections reach both workers in turn; every one is v2, the new worker's included.
  const answers: Array<{ status: number; version: string }> = []
  for (let i = 0; i < 20; i++) {
    const { status, version } = await w.send(`/?after=${i}`, { headers: { connection: 'close' } })
    answers.push({ status, version })
  }
  assert.deepEqual(answers.filter((s) => s.status !== 200 || s.version !== 'v2'), [])
  const after = await served(w, '/?after=', answers.length)
  assert.ok(after.some((a) => a.worker === replacement), `the new worker (${replacement}) served none of 20 fresh connections: ${[...new Set(after.map((a) => a.worker))].join(', ')}`)
})
