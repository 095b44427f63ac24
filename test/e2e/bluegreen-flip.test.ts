import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Pool } from 'undici'
import { backends } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { waitFor } from '../support/world/eventually.js'
import { world } from '../support/world/world.js'

const blueGreen = (v1: string, v2: string): string => release({ v1, v2, preview: true, weight: 0, more: 'mode: blueGreen' })

test('blue/green: all main traffic on the active version, the other one only on preview', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: blueGreen(v1.url, v2.url) })
  await w.routed()
  assert.deepEqual(await w.count(1000), { v1: 1000 })
  assert.deepEqual(await w.count(200, { listener: 'preview' }), { v2: 200 })
})

test('blue/green: a weight that is not 0 or 100 is refused with 409 and the split stays whole', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: blueGreen(v1.url, v2.url) })
  await w.routed()
  const res = await w.admin.call<{ error: string }>('PUT', '/api/v1/weight', { weight: 50 })
  assert.equal(res.status, 409)
  assert.equal(res.body.error, 'RAMP_ERR_WEIGHT_MODE')
  assert.equal((await w.rollout()).routing.weight, 0)
})

test('blue/green: a flip under 50 concurrent keep-alive clients loses no request, and every request sent after it lands on the new version', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: blueGreen(v1.url, v2.url) })
  await w.routed()
  const pool = new Pool(w.urls.main, { connections: 50, pipelining: 1 })
  t.after(() => pool.close())

  let flippedAt = Number.POSITIVE_INFINITY
  let stop = false
  const seen: Array<{ sentAt: number; version: string; status: number }> = []
  const client = async (): Promise<void> => {
    while (!stop) {
      const sentAt = performance.now()
      const res = await pool.request({ method: 'GET', path: '/' })
      await res.body.dump()
      seen.push({ sentAt, version: String(res.headers['x-demo-version']), status: res.statusCode })
    }
  }
  const clients = Array.from({ length: 50 }, client)
  // Counts, not durations, decide the phases, so a loaded machine only makes it slower.
  await waitFor('300 requests before the flip', () => seen.length >= 300, 20_000)
  const flip = await w.admin.call('PUT', '/api/v1/weight', { weight: 100 })
  flippedAt = performance.now()
  assert.equal(flip.status, 200)
  const before = seen.length
  await waitFor('300 requests after the flip', () => seen.length >= before + 300, 20_000)
  stop = true
  await Promise.all(clients)

  assert.deepEqual(seen.filter((s) => s.status !== 200), [], 'every request succeeded')
  const after = seen.filter((s) => s.sentAt > flippedAt)
  assert.ok(after.length > 100, 'requests were sent after the flip')
  assert.deepEqual(after.filter((s) => s.version !== 'v2'), [], 'everything sent after the flip went to v2')
  assert.ok(seen.some((s) => s.version === 'v1'), 'v1 served before the flip')
})
