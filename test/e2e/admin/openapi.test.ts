import assert from 'node:assert/strict'
import { backendOriginPattern } from '../../../src/config/backend-url.js'
import { test } from 'node:test'
import { request } from 'undici'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { adminDocument, offDocument } from '../../support/world/openapi.js'
import { world } from '../../support/world/world.js'

test('the OpenAPI document lists every status of each route: the verbs\' 200 and 201, the refusals, /readyz\'s 503', async () => {
  const doc = await adminDocument()
  const codes = (path: string, method: string): string[] => Object.keys(doc.paths[path]?.[method]?.responses ?? {})
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(Object.keys(op.responses).some((c) => c.startsWith('2')), `${method} ${path} lists no success status`)
    }
  }
  assert.deepEqual(codes('/api/v1/rollout/abort', 'post'), ['200', '400', '401', '409', '413', '415', '500', '503'])
  assert.deepEqual(codes('/api/v1/rollout', 'post'), ['201', '400', '401', '409', '413', '415', '500', '503'])
  assert.deepEqual(codes('/readyz', 'get'), ['200', '503'])
  assert.deepEqual(codes('/api/v1/events', 'get'), ['200', '401', '503'])
  assert.deepEqual(codes('/api/v1/status', 'get'), ['200', '401', '500'])
})

test('a backend is described by a standard format and a pattern, not a format only ramp knows', async () => {
  const doc = JSON.stringify(await adminDocument())
  assert.doesNotMatch(doc, /backend-url|http-url/)
  assert.ok(doc.includes(`"format":"uri","pattern":${JSON.stringify(backendOriginPattern)}`), 'a backend: format uri and the origin pattern')
})

test('the check every admin answer of the tests goes through refuses one that breaks the document', async () => {
  assert.equal(await offDocument('GET', '/healthz', 200, { status: 'ok' }), null)
  assert.match(await offDocument('GET', '/api/v1/status', 200, { phase: 'Sideways' }) ?? 'kept to it', /answered 200/)
  assert.match(await offDocument('POST', '/api/v1/rollout/abort', 418, { error: 'x', message: 'y', hint: 'z' }) ?? 'kept to it', /unknown status code/)
  assert.match(await offDocument('PATCH', '/api/v1/status', 400, {}) ?? 'kept to it', /must answer 405/)
})

test('every route answers an unknown method with 405 and Allow, a body with no content type included', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url }), env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  const doc = await adminDocument()
  for (const [path, ops] of Object.entries(doc.paths)) {
    const res = await request(`${w.urls.admin}${path}`, { method: 'PATCH', headers: { authorization: 'Bearer sekret' }, body: 'x=1' })
    const body = await res.body.json() as { error: string }
    assert.equal(res.statusCode, 405, `PATCH ${path}: ${JSON.stringify(body)}`)
    assert.equal(body.error, 'RAMP_ERR_ADMIN_METHOD_NOT_ALLOWED')
    const allow = String(res.headers.allow).split(', ')
    for (const m of Object.keys(ops)) assert.ok(allow.includes(m.toUpperCase()), `PATCH ${path}: Allow ${String(res.headers.allow)} lacks ${m}`)
  }
})

test('a refusal names a refused value by a short prefix: a 1 MB backend URL gets a 400 of a few hundred bytes', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url }) })
  const huge = `http://127.0.0.1/${'a'.repeat(1_000_000)}`
  const res = await request(`${w.urls.admin}/api/v1/rollout`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: { name: 'v2', backends: [huge] } }),
  })
  const text = await res.body.text()
  assert.equal(res.statusCode, 400)
  assert.ok(text.length < 1000, `${text.length} bytes: ${text.slice(0, 300)}`)
  assert.match(text, /http:\/\/127\.0\.0\.1\/aaaa.*… \(1000019 characters\) has a path or query/)
})
