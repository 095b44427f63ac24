import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

async function statuses(url: string, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const res = await request(`${url}/`)
    await res.body.dump()
    out.push(res.statusCode)
  }
  return out
}

test('a backend answering 5xx is ejected after consecutive5xx of them, returns when its time is up, and is ejected twice as long the next time', async (t) => {
  const good = await backend(t, { name: 'v1' })
  const bad = await backend(t, { name: 'v1', failRate: 1 })
  const w = await world(t, { config: release({ v1: [good.url, bad.url], more: 'outlier: { consecutive5xx: 3, baseEjectionMs: 400, maxEjectionMs: 5000 }' }) })
  // Idle, the two backends alternate: the bad one answers every other request until ejected.
  const first = await statuses(w.urls.main, 30)
  assert.equal(first.filter((s) => s === 500).length, 3, `statuses ${first.join(' ')}`)
  assert.deepEqual(first.slice(6), Array(24).fill(200), 'nothing but 200 once it is ejected')
  // Taken before the call: reading the view (and checking it against the OpenAPI document) takes time of its own.
  const asked = Date.now()
  const view = await w.admin.backendHealth(bad.url)
  assert.equal(view?.state, 'ejected')
  assert.equal(view?.ejections, 1)
  assert.ok(view?.ejectedUntil !== null && Date.parse(view?.ejectedUntil ?? '') > asked, `ejected until ${view?.ejectedUntil}, asked at ${new Date(asked).toISOString()}`)

  await waitFor('the ejection to end', async () => (await w.admin.backendHealth(bad.url))?.state === 'healthy')
  const ejectedAt = Date.now()
  const second = await statuses(w.urls.main, 12)
  assert.equal(second.filter((s) => s === 500).length, 3, `statuses ${second.join(' ')}`)
  const elapsed = Date.now() - ejectedAt
  const again = await w.admin.backendHealth(bad.url)
  assert.equal(again?.state, 'ejected')
  const until = Date.parse(again?.ejectedUntil ?? '')
  // Ejected at some moment of those `elapsed` ms, for 2 × 400 ms (ISO times drop nothing finer than a millisecond).
  assert.ok(until - ejectedAt >= 800 && until - ejectedAt <= 800 + elapsed, `the second ejection ends ${until - ejectedAt} ms after the requests began (${elapsed} ms long)`)
  assert.equal(again?.ejections, 2)
})

test('the last available backend of a version is never ejected: its 5xx reach the client, it keeps serving', async (t) => {
  const bad = await backend(t, { name: 'v1', failRate: 1 })
  const w = await world(t, { config: release({ v1: bad.url, more: 'outlier: { consecutive5xx: 2 }' }) })
  const seen = await statuses(w.urls.main, 10)
  assert.deepEqual(seen, Array(10).fill(500))
  const view = await w.rollout()
  assert.equal(view.health.versions[0]?.backends.find((b) => b.url === bad.url)?.state, 'healthy')
  assert.equal(view.phase, 'Healthy')
})
