import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import autocannon from 'autocannon'
import { backend, restart } from '../../support/world/backends.js'
import { quickChecks, release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { seriesOf } from '../../support/world/metrics.js'
import { world } from '../../support/world/world.js'

// ramp runs as its own process: in this one, the load generator would share its event loop
// and keep far fewer requests in flight than 100 connections do, which shrinks the retry
// budget (a share of requests in flight) below what a real deployment has. At weight 20 the
// dying backend holds ~10% of the requests in flight, which the default budget (20%) covers:
// at weight 50 it would hold 25%, and the retries of what exceeds the budget would fail.
test('one of two v2 backends killed under load (100 connections): ejected, back when it returns, and clients see at most 0.1% errors', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2a = await backend(t, { name: 'v2' })
  const v2b = await backend(t, { name: 'v2' })
  const w = await world(t, {
    config: release({ v1: v1.url, v2: [v2a.url, v2b.url], weight: 20, more: `${quickChecks}\noutlier: { consecutiveConnectFailures: 2, baseEjectionMs: 500 }` }),
    process: true,
  })
  const stateOf = async (): Promise<string> => (await w.admin.backendHealth(v2b.url))?.state ?? 'gone'
  await waitFor('the canary to be routed', async () => (await w.admin.status()).canary !== null)

  const states = new Set<string>()
  let watching = true
  const watch = (async () => { while (watching) { states.add(await stateOf()); await delay(10) } })()
  // The duration only caps the load: the test stops it once the phases below are done.
  let settle: (err: Error | null, r: autocannon.Result) => void = () => undefined
  const finished = new Promise<autocannon.Result>((resolve, reject) => { settle = (err, r) => { if (err === null) resolve(r); else reject(err) } })
  const load = autocannon({ url: w.urls.main, connections: 100, duration: 60 }, (err: Error | null, r) => { settle(err, r) })
  let answered = 0
  load.on('response', () => { answered++ })
  // Each phase lasts its time and its count of answers, whichever ends later: the kill lands
  // mid-load, the restart a second later, and the load goes on after it, however slow the
  // machine (a fixed 3 s once held 523 requests under other work); 1 100 answers at least, so
  // the 0.1% bound below allows one failure.
  const phase = async (ms: number, answers: number, what: string): Promise<void> => {
    const from = answered
    await delay(ms)
    await waitFor(`${answers} answers ${what}`, () => answered - from >= answers, 20_000)
  }
  await phase(800, 400, 'before the kill')
  await v2b.close()
  await phase(1000, 300, 'between the kill and the restart')
  const again = await restart(t, v2b, 'v2')
  // Shorter than the others: stopping the load takes up to a second more (autocannon's tick).
  await phase(700, 400, 'after the restart')
  load.stop()
  const result = await finished
  watching = false
  await watch

  const failed = result.non2xx + result.errors + result.timeouts
  const total = result.requests.total
  const metrics = await w.metrics()
  const upstream = seriesOf(metrics, 'ramp_upstream_errors_total')
  t.diagnostic(`${total} requests, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; upstream: ${upstream.join(', ')}; retries: ${seriesOf(metrics, 'ramp_retries_total').join(', ')}; v2b seen ${[...states].join(', ')}`)
  assert.ok(states.has('ejected') || states.has('unhealthy'), `the dead backend was never taken out: ${[...states].join(', ')}`)
  await waitFor('the restarted backend to be healthy again', async () => (await stateOf()) === 'healthy')
  // 1 000 requests at weight 20, P2C between two equal v2 backends: the restarted one should
  // get 100 (binomial sd 9.5; its health checks are not counted); 50 is over 5 sd below.
  const before = again.traffic()
  await w.count(1000)
  t.diagnostic(`the restarted backend served ${again.traffic() - before} of 1 000`)
  assert.ok(again.traffic() - before >= 50, `the restarted backend served ${again.traffic() - before} of 1 000 requests`)
  // Whatever clients saw fail can only be requests on, or sent to, the backend as it died.
  assert.equal(result.errors + result.timeouts, 0)
  assert.ok(upstream.every((l) => /version="v2",reason="(reset|connect)"/.test(l)), upstream.join(', '))
  assert.ok(failed <= total * 0.001, `${failed} of ${total} requests failed (${(100 * failed / total).toFixed(3)}%)`)
})
