import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { request } from 'undici'
import { accessLines, adminCall, connectionsOf, fresh, hostYaml, killWorker, load, routed, serveHost, versions, waitFor, workers, type Access } from './support.js'

const connections = 50

test('kill -9 of one of 2 workers under load: the other keeps serving, /readyz stays 200, a new worker takes its place and serves the current table', async (t) => {
  const { v1, v2 } = await versions(t)
  const host = await serveHost(t, hostYaml(v1, { v2, access: true }))
  await routed(host, 30)
  const [victim, survivor, ...more] = workers(host)
  assert.ok(victim !== undefined && survivor !== undefined && more.length === 0, `workers: ${workers(host).join(', ')}`)

  const traffic = load(host.urls.main, connections)
  t.after(() => traffic.stop())
  const ready: Array<{ at: number; status: number }> = []
  let watching = true
  const watch = (async () => {
    while (watching) {
      const res = await request(`${host.urls.admin}/readyz`)
      await res.body.dump()
      ready.push({ at: performance.now(), status: res.statusCode })
      await delay(20)
    }
  })()
  await delay(500)
  // The replacement must start from the table in force, not from the one the primary started with.
  assert.equal((await adminCall(host, 'PUT', '/api/v1/rollout/weight', { weight: 100 })).status, 200)
  const port = Number(new URL(host.urls.main).port)
  // Every client connection open on one worker or the other, none still being handed over.
  await waitFor('every connection on a worker', () => connectionsOf(victim, port) + connectionsOf(survivor, port) === connections)
  const held = connectionsOf(victim, port)
  const replaced = killWorker(host, victim)
  const killedAt = performance.now()
  const replacement = await replaced
  const servingAt = performance.now()
  assert.deepEqual(workers(host).sort(), [survivor, replacement].sort(), 'two workers again: the survivor and the new one')
  await delay(300)
  await traffic.stop()
  watching = false
  await watch

  const { sent } = traffic
  const failed = sent.filter((s) => s.error !== null || s.status !== 200)
  t.diagnostic(`${sent.length} requests, ${failed.length} failed (${[...new Set(failed.map((f) => f.error ?? f.status))].join(', ')}), the killed worker held ${held} connections, replaced in ${Math.round(servingAt - killedAt)} ms, ${ready.length} /readyz polls`)
  // A client connection has one request in flight at a time (pipelining 1), and a connection
  // the killed worker held ends with it: each can fail the one request it carried, no more,
  // and the survivor's connections none.
  assert.ok(failed.length <= held, `${failed.length} requests failed, the killed worker held ${held} connections`)
  assert.ok(failed.every((f) => f.startedAt < servingAt), 'nothing failed once the new worker served')
  const afterKill = sent.filter((s) => s.startedAt > killedAt && s.status === 200)
  assert.ok(afterKill.some((s) => s.endedAt < servingAt), 'the survivor served while the new worker started')
  assert.deepEqual(afterKill.filter((s) => s.version !== 'v2'), [], 'weight 100 held on every worker')
  assert.deepEqual(ready.filter((r) => r.status !== 200), [], '/readyz stays 200')
  assert.ok(ready.some((r) => r.at > killedAt && r.at < servingAt), '/readyz was asked while one worker served')

  // Fresh connections reach both workers in turn; every one is v2, the new worker's included.
  const seen: Array<{ status: number; version: string }> = []
  for (let i = 0; i < 20; i++) {
    const { status, version } = await fresh(host.urls.main, `/?after=${i}`)
    seen.push({ status, version })
  }
  assert.deepEqual(seen.filter((s) => s.status !== 200 || s.version !== 'v2'), [])
  const after = (): Access[] => accessLines(host.proc).filter((a) => a.url.startsWith('/?after='))
  await waitFor('an access line for each', () => after().length === seen.length)
  const served = after()
  assert.ok(served.some((a) => a.worker === replacement), `the new worker (${replacement}) served none of 20 fresh connections: ${[...new Set(served.map((a) => a.worker))].join(', ')}`)
})
