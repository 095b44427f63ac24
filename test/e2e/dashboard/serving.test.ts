import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

test('the page and its files need no token, hold the browser to this origin, and answer 304 while unchanged', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url }), env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  const page = await request(`${w.urls.admin}/`)
  assert.equal(page.statusCode, 200)
  const html = await page.body.text()
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'/)
  for (const asset of ['/ui/dashboard.js', '/ui/dashboard.css', '/ui/icon.svg']) assert.ok(html.includes(asset), `the page names ${asset}`)
  // stream.js is the worker dashboard.js starts.
  for (const asset of ['/ui/dashboard.js', '/ui/stream.js', '/ui/dashboard.css', '/ui/icon.svg']) {
    const res = await request(`${w.urls.admin}${asset}`)
    assert.equal(res.statusCode, 200, asset)
    await res.body.dump()
    const again = await request(`${w.urls.admin}${asset}`, { headers: { 'if-none-match': String(res.headers.etag) } })
    assert.equal(again.statusCode, 304, asset)
    await again.body.dump()
  }
  for (const path of ['/ui/nope.js', '/ui/..%2Fpackage.json', '/ui/%2E%2E%2F%2E%2E%2Fpackage.json']) {
    const res = await request(`${w.urls.admin}${path}`)
    assert.equal(res.statusCode, 404, path)
    assert.equal((await res.body.json() as { error: string }).error, 'RAMP_ERR_ADMIN_NOT_FOUND')
  }
})
