import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { AdminClient } from '../../support/world/admin.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const reads = ['/api/v1/status', '/api/v1/rollout', '/api/v1/rollout/events', '/api/v1/openapi.json', '/api/v1/events', '/metrics']

/** Status of a GET; an event stream's head is enough, its body is left. */
async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { headers })
  res.body.on('error', () => undefined).destroy()
  return res.statusCode
}

// The admin listener binds every address; the test reaches it through 127.0.0.1 only.
const exposed = (v1: string, more = ''): string => release({ v1, more: `admin: { host: 0.0.0.0, port: 0${more} }` })

test('on an admin bound to 0.0.0.0 every call but /healthz and /readyz needs the token: reads, the event stream and the document too', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: exposed(v1.url), env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  assert.match(w.urls.admin, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(await statusOf(`${w.urls.admin}/healthz`), 200)
  assert.equal(await statusOf(`${w.urls.admin}/readyz`), 200)
  for (const path of reads) {
    assert.equal(await statusOf(`${w.urls.admin}${path}`), 401, `GET ${path} without the token`)
    assert.equal(await statusOf(`${w.urls.admin}${path}`, { authorization: 'Bearer wrong' }), 401, `GET ${path} with a wrong token`)
    assert.equal(await statusOf(`${w.urls.admin}${path}`, { authorization: 'Bearer sekret' }), 200, `GET ${path} with the token`)
  }
  const refused = await w.admin.call('GET', '/api/v1/status')
  assert.equal(refused.body.error, 'RAMP_ERR_ADMIN_UNAUTHORIZED')
  assert.match(String(refused.body.message), /reads need it too/)
  assert.equal((await new AdminClient(w.urls.admin, { authorization: 'Bearer sekret' }).status()).stable.name, 'v1')
})

test('/metrics on an exposed admin: admin.metricsToken reads it and nothing else; admin.metricsPublic opens it alone', async (t) => {
  const [v1] = await backends(t, 'v1')
  const scraper = { authorization: 'Bearer scrape-only' }
  const w = await world(t, { config: exposed(v1.url, ', token: sekret, metricsToken: scrape-only') })
  assert.equal(await statusOf(`${w.urls.admin}/metrics`), 401)
  assert.equal(await statusOf(`${w.urls.admin}/metrics`, scraper), 200)
  assert.equal(await statusOf(`${w.urls.admin}/metrics`, { authorization: 'Bearer sekret' }), 200)
  assert.equal(await statusOf(`${w.urls.admin}/api/v1/status`, scraper), 401, 'the metrics token reads /metrics only')
  assert.equal((await w.admin.with(scraper).verb('abort')).status, 401, 'and changes nothing')

  const open = await world(t, { config: exposed(v1.url, ', token: sekret, metricsPublic: true') })
  assert.equal(await statusOf(`${open.urls.admin}/metrics`), 200)
  assert.equal(await statusOf(`${open.urls.admin}/api/v1/status`), 401)
})

test('on a loopback admin with a token, reads stay open and writes need it', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url }), env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  for (const path of reads) assert.equal(await statusOf(`${w.urls.admin}${path}`), 200, `GET ${path}`)
  assert.equal((await w.admin.verb('abort')).status, 401)
})
