import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WorkerAccessLine } from '../../support/world/logs.js'
import { served } from './served.js'
import { split } from './split.js'

function byWorker(lines: readonly WorkerAccessLine[]): Map<number, WorkerAccessLine[]> {
  const out = new Map<number, WorkerAccessLine[]>()
  for (const a of lines) out.set(a.worker, (out.get(a.worker) ?? []).concat(a))
  return out
}

const onV2 = (lines: readonly WorkerAccessLine[]): number => lines.filter((a) => a.version === 'v2').length

// Each worker runs its own smooth weighted round robin, which at 20% puts exactly one v2 in
// every 5 consecutive requests it weighs. n = 5q + r consecutive requests of one worker thus
// hold q or q + 1 on v2: |v2 - n/5| <= 4/5 for each worker, <= 8/5 for the two together, and
// as v2 and N/5 are integers when N is a multiple of 5, |v2 - N/5| <= 1 over the host.
test('balance: exact at 20% on 2 workers: each worker exact over its own windows, the host within 1 of 20%', async (t) => {
  const { w } = await split(t, 20, { access: true, more: 'balance: exact' })

  // One request at a time, each on a new connection so that both workers get some: with one
  // in flight at most, a worker's requests ordered by `i` are the order it weighed them in.
  const n = 200
  for (let i = 0; i < n; i++) assert.equal((await w.send(`/?seq&i=${i}`, { headers: { connection: 'close' } })).status, 200)
  const sequential = byWorker(await served(w, '/?seq', n))
  assert.equal(sequential.size, 2, 'both workers answered')
  for (const [worker, lines] of sequential) {
    const order = lines.map((a) => Number(new URL(a.url, 'http://x').searchParams.get('i'))).sort((a, b) => a - b)
    const version = new Map(lines.map((a) => [Number(new URL(a.url, 'http://x').searchParams.get('i')), a.version]))
    for (let start = 0; start + 5 <= order.length; start++) {
      const window = order.slice(start, start + 5).map((i) => version.get(i))
      assert.equal(window.filter((v) => v === 'v2').length, 1, `worker ${worker}, its requests ${start + 1}-${start + 5}: ${window.join(' ')}`)
    }
  }
  const sequentialOnV2 = onV2([...sequential.values()].flat())
  assert.ok(Math.abs(sequentialOnV2 - n / 5) <= 1, `${sequentialOnV2} of ${n} on v2`)

  // Concurrent keep-alive connections: the order within a worker is lost, its counts are not.
  // count() fails unless every answer is a 200.
  const m = 1000
  const answered = await w.count(m, { connections: 16, path: '/?pool' })
  const pooled = byWorker(await served(w, '/?pool', m))
  assert.equal(pooled.size, 2, 'both workers answered')
  for (const [worker, lines] of pooled) {
    assert.ok(Math.abs(onV2(lines) - lines.length / 5) <= 4 / 5, `worker ${worker}: ${onV2(lines)} of ${lines.length} on v2`)
  }
  const total = answered.v2 ?? 0
  t.diagnostic(`sequential: ${[...sequential.values()].map((l) => `${onV2(l)}/${l.length}`).join(', ')}; pooled: ${[...pooled.values()].map((l) => `${onV2(l)}/${l.length}`).join(', ')}`)
  assert.ok(Math.abs(total - m / 5) <= 1, `${total} of ${m} on v2`)
})

test('header stickiness on 2 workers: a user gets the same version from either worker', async (t) => {
  const { w } = await split(t, 20, { access: true, more: 'stickiness: { header: X-User-Id }' })
  const users = 60
  const rounds = 4
  const seen = new Map<number, Set<string>>()
  // Each user's requests one after another on fresh connections, which the workers take in turn.
  for (let u = 0; u < users; u++) {
    for (let r = 0; r < rounds; r++) {
      const res = await w.send(`/?user=${u}&r=${r}`, { headers: { 'x-user-id': `user-${u}`, connection: 'close' } })
      assert.equal(res.status, 200)
      seen.set(u, (seen.get(u) ?? new Set()).add(res.version))
    }
  }
  for (const [u, got] of seen) assert.equal(got.size, 1, `user-${u} got ${[...got].join(' and ')}`)
  const lines = await served(w, '/?user=', users * rounds)
  const workersOf = new Map<string, Set<number>>()
  for (const a of lines) {
    const u = new URL(a.url, 'http://x').searchParams.get('user') ?? ''
    workersOf.set(u, (workersOf.get(u) ?? new Set()).add(a.worker))
  }
  const onBoth = [...workersOf.values()].filter((s) => s.size === 2).length
  const v2Users = [...seen.values()].filter((s) => s.has('v2')).length
  t.diagnostic(`${onBoth} of ${users} users answered by both workers, ${v2Users} on v2`)
  assert.ok(onBoth >= users / 2, `only ${onBoth} of ${users} users reached both workers`)
  assert.ok(v2Users > 0 && v2Users < users, 'both versions have users')
})
