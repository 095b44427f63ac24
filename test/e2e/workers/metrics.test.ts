import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { split } from './split.js'

const main = { listener: 'main' }

test('/metrics on 2 workers: ramp_requests_total of the main listener equals what the backends served, exactly, and a killed worker takes nothing back', async (t) => {
  const { w, v1, v2 } = await split(t, 50)
  /** What the backends served, probes left out. */
  const served = (): number => v1.traffic() + v2.traffic()
  const total = (): Promise<number> => w.metric('ramp_requests_total', main)
  const { cluster } = w

  // count() fails unless every answer is a 200.
  const n = 2000
  await w.count(n, { connections: 16 })
  assert.equal(served(), n)
  // A worker counts a request as its response ends, which may be a moment after the client read it.
  assert.equal(await w.metricReaches('ramp_requests_total', main, n, 3000), n)
  await delay(1200)
  assert.equal(await total(), n, 'the periodic reports replace a worker\'s numbers, they do not add to them')

  // Idle, a worker has reported everything it counted: killed, it takes nothing away.
  const idle = cluster.kill9(cluster.pids()[0] ?? 0)
  assert.equal(await total(), n, 'right after the kill')
  await idle
  assert.equal(await total(), n, 'with the new worker')
  await w.count(500, { connections: 16 })
  assert.equal(await w.metricReaches('ramp_requests_total', main, n + 500, 3000), n + 500)
  assert.equal(served(), n + 500)

  // Under load the total never goes backwards, across a kill and the restart.
  const traffic = w.load({ connections: 16 })
  const samples: number[] = []
  let sampling = true
  const sampler = (async () => { while (sampling) samples.push(await total()) })()
  await delay(500)
  const busy = cluster.kill9(cluster.pids()[0] ?? 0)
  const killedAt = performance.now()
  await busy
  await delay(500)
  await traffic.stop()
  sampling = false
  await sampler
  const backward = samples.findIndex((s, i) => i > 0 && s < (samples[i - 1] ?? 0))
  assert.equal(backward, -1, `the total went from ${samples[backward - 1]} to ${samples[backward]}`)

  await delay(200)
  const after = await total()
  const backends = served()
  // Lost: what the killed worker served after its last report (reports come at least every
  // second, and with every scrape, which this test sends back to back), and what it had in
  // flight: at most every answer of the last 1.5 s before the kill, and every failed request.
  const failed = traffic.seen.filter((s) => s.error !== null).length
  const recent = traffic.seen.filter((s) => s.error === null && s.endedAt > killedAt - 1500 && s.endedAt <= killedAt).length
  t.diagnostic(`${samples.length} samples; after the load /metrics ${after}, backends ${backends}, ${failed} failed, ${recent} answered in the 1.5 s before the kill`)
  assert.ok(after >= (samples.at(-1) ?? 0), 'not below the last sample')
  assert.ok(after <= backends, `/metrics counts ${after}, more than the ${backends} the backends served`)
  assert.ok(after >= backends - recent - failed, `/metrics counts ${after} of ${backends}`)
})
