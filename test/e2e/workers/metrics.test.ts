import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { request } from 'undici'
import type { DemoBackend } from '../../../src/demo/backend.js'
import { hostYaml, killWorker, load, metricSum, requests, routed, serveHost, versions, waitFor, workers, type Host } from './support.js'

/** What the backends say they served, from their own `GET /__count`. */
async function served(...backends: DemoBackend[]): Promise<number> {
  let sum = 0
  for (const b of backends) sum += ((await (await request(`${b.url}/__count`)).body.json()) as { traffic: number }).traffic
  return sum
}

const total = (host: Host): Promise<number> => metricSum(host, 'ramp_requests_total', { listener: 'main' })

test('/metrics on 2 workers: ramp_requests_total of the main listener equals what the backends served, exactly, and a killed worker takes nothing back', async (t) => {
  const { v1, v2 } = await versions(t)
  const host = await serveHost(t, hostYaml(v1, { v2 }))
  await routed(host, 50)

  const n = 2000
  const answered = await requests(host.urls.main, n, 16)
  assert.equal(answered.filter((s) => s.status === 200).length, n)
  assert.equal(await served(v1, v2), n)
  // A worker counts a request as its response ends, which may be a moment after the client read it.
  await waitFor(`${n} requests in /metrics`, async () => (await total(host)) >= n, 3000)
  assert.equal(await total(host), n)
  await delay(1200)
  assert.equal(await total(host), n, 'the periodic reports replace a worker\'s numbers, they do not add to them')

  // Idle, a worker has reported everything it counted: killed, it takes nothing away.
  const idle = killWorker(host, workers(host)[0] ?? 0)
  assert.equal(await total(host), n, 'right after the kill')
  await idle
  assert.equal(await total(host), n, 'with the new worker')
  const more = await requests(host.urls.main, 500, 16)
  assert.equal(more.filter((s) => s.status === 200).length, 500)
  await waitFor(`${n + 500} requests in /metrics`, async () => (await total(host)) >= n + 500, 3000)
  assert.equal(await total(host), n + 500)
  assert.equal(await served(v1, v2), n + 500)

  // Under load the total never goes backwards, across a kill and the restart.
  const traffic = load(host.urls.main, 16)
  t.after(() => traffic.stop())
  const samples: number[] = []
  let sampling = true
  const sampler = (async () => { while (sampling) samples.push(await total(host)) })()
  await delay(500)
  const busy = killWorker(host, workers(host)[0] ?? 0)
  const killedAt = performance.now()
  await busy
  await delay(500)
  await traffic.stop()
  sampling = false
  await sampler
  const backward = samples.findIndex((s, i) => i > 0 && s < (samples[i - 1] ?? 0))
  assert.equal(backward, -1, `the total went from ${samples[backward - 1]} to ${samples[backward]}`)

  await delay(200)
  const after = await total(host)
  const backends = await served(v1, v2)
  // Lost: what the killed worker served after its last report (reports come at least every
  // second, and with every scrape, which this test sends back to back), and what it had in
  // flight: at most every answer of the last 1.5 s before the kill, and every failed request.
  const failed = traffic.sent.filter((s) => s.error !== null).length
  const recent = traffic.sent.filter((s) => s.error === null && s.endedAt > killedAt - 1500 && s.endedAt <= killedAt).length
  t.diagnostic(`${samples.length} samples; after the load /metrics ${after}, backends ${backends}, ${failed} failed, ${recent} answered in the 1.5 s before the kill`)
  assert.ok(after >= (samples.at(-1) ?? 0), 'not below the last sample')
  assert.ok(after <= backends, `/metrics counts ${after}, more than the ${backends} the backends served`)
  assert.ok(after >= backends - recent - failed, `/metrics counts ${after} of ${backends}`)
})
