import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { backend, rampWith, waitFor } from '../../support/ramp.js'
import { backendState, rolloutOf } from './support.js'

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
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${good.url}", "${bad.url}"] }
outlier: { consecutive5xx: 3, baseEjectionMs: 400, maxEjectionMs: 5000 }
`)
  // Idle, the two backends alternate: the bad one answers every other request until ejected.
  const first = await statuses(ramp.urls.main, 30)
  assert.equal(first.filter((s) => s === 500).length, 3, `statuses ${first.join(' ')}`)
  assert.deepEqual(first.slice(6), Array(24).fill(200), 'nothing but 200 once it is ejected')
  const view = (await rolloutOf(ramp)).health.versions[0]?.backends.find((b) => b.url === bad.url)
  assert.equal(view?.state, 'ejected')
  assert.equal(view?.ejections, 1)
  assert.ok(view?.ejectedUntil !== null && Date.parse(view?.ejectedUntil ?? '') > Date.now())

  await waitFor('the ejection to end', () => backendState(ramp, bad.url) === 'healthy')
  const ejectedAt = Date.now()
  const second = await statuses(ramp.urls.main, 12)
  assert.equal(second.filter((s) => s === 500).length, 3, `statuses ${second.join(' ')}`)
  assert.equal(backendState(ramp, bad.url), 'ejected')
  const elapsed = Date.now() - ejectedAt
  const until = Date.parse(ramp.health.view().versions[0]?.backends.find((b) => b.url === bad.url)?.ejectedUntil ?? '')
  // Ejected at some moment of those `elapsed` ms, for 2 × 400 ms (ISO times drop nothing finer than a millisecond).
  assert.ok(until - ejectedAt >= 800 && until - ejectedAt <= 800 + elapsed, `the second ejection ends ${until - ejectedAt} ms after the requests began (${elapsed} ms long)`)
  assert.equal(ramp.health.view().versions[0]?.backends.find((b) => b.url === bad.url)?.ejections, 2)
})

test('the last available backend of a version is never ejected: its 5xx reach the client, it keeps serving', async (t) => {
  const bad = await backend(t, { name: 'v1', failRate: 1 })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${bad.url}"] }
outlier: { consecutive5xx: 2 }
`)
  const seen = await statuses(ramp.urls.main, 10)
  assert.deepEqual(seen, Array(10).fill(500))
  assert.equal(backendState(ramp, bad.url), 'healthy')
  assert.equal(ramp.driver.state.phase, 'Healthy')
})
