import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { test } from 'node:test'
import { Pool } from 'undici'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { refusingUrl } from '../../support/world/ports.js'
import { answering, recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'

test('the retry budget holds under an outage: retries in flight stay within max(minConcurrent, ratio x requests in flight)', async (t) => {
  const n = 20
  const ratio = 0.2
  const minConcurrent = 2
  const budget = Math.max(minConcurrent, ratio * n)
  // Both backends of v1 hold every request until the test answers it, so that all first
  // tries fail at once and every retry admitted is in flight at the same time.
  const held: ServerResponse[] = []
  const [a, b] = [await recorder(t, (_req, res) => { held.push(res) }), await recorder(t, (_req, res) => { held.push(res) })]
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: `retry: { backoffMs: 0, budget: { ratio: ${ratio}, minConcurrent: ${minConcurrent} } }\noutlier: { enabled: false }` }) })
  const client = new Pool(w.urls.main, { connections: n })
  t.after(() => client.close())
  const answers = Array.from({ length: n }, async () => {
    const res = await client.request({ method: 'GET', path: '/' })
    await res.body.dump()
    return res.statusCode
  })

  await waitFor(`the ${n} first tries to reach the backends`, () => held.length === n)
  for (const res of held.splice(0)) res.writeHead(503).end()
  const decided = async (): Promise<number> => (await w.metric('ramp_retries_total', { result: 'retried' })) + (await w.metric('ramp_retries_total', { result: 'budget_exhausted' }))
  await waitFor('a retry decision for every failed try', async () => (await decided()) === n)
  const retried = await w.metric('ramp_retries_total', { version: 'v1', reason: 'status', result: 'retried' })
  await waitFor('every admitted retry to reach a backend', () => held.length === retried)

  assert.ok(held.length <= budget, `${held.length} retries in flight at once, over the budget of ${budget}`)
  assert.ok(held.length >= minConcurrent, `${held.length} retries in flight: the floor of ${minConcurrent} should have been admitted`)
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'status', result: 'budget_exhausted' }), n - retried)

  for (const res of held.splice(0)) res.writeHead(200).end()
  const statuses = await Promise.all(answers)
  assert.equal(statuses.filter((s) => s === 200).length, retried, 'a retried request got the answer of its second try')
  assert.equal(statuses.filter((s) => s === 503).length, n - retried, 'a request refused by the budget got its failure as it was')
  assert.equal(a.traffic().length + b.traffic().length, n + retried)
})

test('a retry after a connect failure takes no slot of the budget: with a budget of zero, a refused try still moves to the other backend', async (t) => {
  const noBudget = 'retry: { backoffMs: 0, budget: { ratio: 0, minConcurrent: 0 } }\noutlier: { enabled: false }'
  const good = await recorder(t, answering(200))
  const w = await world(t, { config: release({ v1: [await refusingUrl(), good.url], more: noBudget }) })
  const answers = await Promise.all(Array.from({ length: 20 }, () => w.send()))
  assert.deepEqual(answers.filter((a) => a.status !== 200), [], 'every request was served by the backend that listens')
  assert.ok(await w.metric('ramp_retries_total', { reason: 'connect', result: 'retried' }) > 0, 'some first tries went to the refusing backend')
  assert.equal(await w.metric('ramp_retries_total', { result: 'budget_exhausted' }), 0)

  const failing = [await recorder(t, answering(503)), await recorder(t, answering(503))]
  const statusOutage = await world(t, { config: release({ v1: failing.map((f) => f.url), more: noBudget }) })
  await statusOutage.send()
  assert.equal(await statusOutage.metric('ramp_retries_total', { reason: 'status', result: 'budget_exhausted' }), 1, 'a status retry does take a slot, and there is none')
})
