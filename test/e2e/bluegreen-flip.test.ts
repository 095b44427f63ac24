import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Pool } from 'undici'
import { admin, backend, canaryRouted, countVersions, rampWith, waitFor } from '../support/ramp.js'

const blueGreen = (v1: string, v2: string): string => `
listen: { port: 0 }
preview: { port: 0 }
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
mode: blueGreen
weight: 0
readiness: { intervalMs: 20 }
`

test('blue/green: all main traffic on the active version, the other one only on preview', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, blueGreen(v1.url, v2.url))
  await canaryRouted(ramp)
  assert.deepEqual(await countVersions(ramp.urls.main, 1000), { v1: 1000 })
  assert.deepEqual(await countVersions(ramp.urls.preview as string, 200), { v2: 200 })
})

test('blue/green: a weight that is not 0 or 100 is refused with 409 and the split stays whole', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, blueGreen(v1.url, v2.url))
  await canaryRouted(ramp)
  const res = await admin<{ error: string }>(ramp, 'PUT', '/api/v1/weight', { weight: 50 })
  assert.equal(res.status, 409)
  assert.equal(res.body.error, 'RAMP_ERR_WEIGHT_MODE')
  assert.equal(ramp.tables.current.weightBp, 0)
})

test('blue/green: a flip under 50 concurrent keep-alive clients loses no request, and every request sent after it lands on the new version', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, blueGreen(v1.url, v2.url))
  await canaryRouted(ramp)
  const pool = new Pool(ramp.urls.main, { connections: 50, pipelining: 1 })
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
  const flip = await admin(ramp, 'PUT', '/api/v1/weight', { weight: 100 })
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
