import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request, type Dispatcher } from 'undici'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

test('event streams are bounded by admin.maxEventStreams: one more answers 503 with Retry-After, and a closed stream frees its place', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url, more: 'admin: { maxEventStreams: 2 }' }) })
  const url = `${w.urls.admin}/api/v1/events`
  const streams: Dispatcher.ResponseData[] = []
  t.after(() => { for (const s of streams) s.body.on('error', () => undefined).destroy() })
  for (let i = 0; i < 2; i++) {
    const s = await request(url)
    assert.equal(s.statusCode, 200)
    streams.push(s)
  }
  const full = await request(url)
  const body = await full.body.json() as { error: string; message: string }
  assert.equal(full.statusCode, 503)
  assert.equal(full.headers['retry-after'], '5')
  assert.equal(body.error, 'RAMP_ERR_ADMIN_STREAMS_FULL')
  assert.match(body.message, /2 event streams are open, the most admin\.maxEventStreams allows/)
  streams.shift()?.body.on('error', () => undefined).destroy()
  await waitFor('a place freed', async () => {
    const again = await request(url)
    if (again.statusCode === 200) streams.push(again)
    else await again.body.dump()
    return again.statusCode === 200
  })
})
