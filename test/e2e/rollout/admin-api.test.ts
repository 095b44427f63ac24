import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { parseConfig } from '../../../src/config/load.js'
import { startRamp } from '../../../src/ramp.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import { admin, canaryRouted, silent, waitFor } from '../../support/ramp.js'
import { given } from '../given.js'

const steps = 'canary:\n  steps:\n    - setWeight: 20\n    - pause: {}\n    - setWeight: 100'

test('mutating calls without the token answer 401; with it they pass; reads stay open', async (t) => {
  const { ramp } = await given(t, { strategy: steps, env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  await canaryRouted(ramp)
  const none = await admin(ramp, 'POST', '/api/v1/rollout/promote', {})
  assert.equal(none.status, 401)
  assert.equal(none.body.error, 'RAMP_ERR_ADMIN_UNAUTHORIZED')
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="ramp"')
  const wrong = await admin(ramp, 'POST', '/api/v1/rollout/promote', {}, { authorization: 'Bearer sekreT' })
  assert.equal(wrong.status, 401)
  assert.equal(ramp.driver.state.reason, 'CanaryPauseStep', 'nothing moved')
  const right = await admin(ramp, 'POST', '/api/v1/rollout/promote', {}, { authorization: 'Bearer sekret' })
  assert.equal(right.status, 200)
  assert.equal((await admin(ramp, 'GET', '/api/v1/rollout')).status, 200)
})

test('ramp refuses to start with the admin listener on a non-loopback address and no token', async () => {
  const config = parseConfig('listen: { port: 0 }\nadmin: { host: 0.0.0.0, port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n', null, {})
  await assert.rejects(startRamp(config, { log: silent, store: createMemoryStore(), processMetrics: false, env: {} }), (err: { code?: string; message: string }) => err.code === 'RAMP_ERR_ADMIN_INSECURE' && /0\.0\.0\.0/.test(err.message))
})

test('unknown paths answer 404, wrong methods 405 with Allow, and a bad body 400 naming the field', async (t) => {
  const { ramp } = await given(t, { strategy: steps })
  const missing = await admin(ramp, 'GET', '/api/v1/nope')
  assert.equal(missing.status, 404)
  assert.equal(missing.body.error, 'RAMP_ERR_ADMIN_NOT_FOUND')
  const method = await admin(ramp, 'GET', '/api/v1/rollout/promote')
  assert.equal(method.status, 405)
  assert.equal(method.headers.allow, 'POST')
  const body = await admin(ramp, 'POST', '/api/v1/rollout', { version: { name: 'v3', backends: ['htp://x'] } })
  assert.equal(body.status, 400)
  assert.match(String(body.body.message), /body\.version\.backends\[0\]: "htp:\/\/x" is not an http\(s\) URL/)
  const media = await request(`${ramp.urls.admin}/api/v1/rollout/promote`, { method: 'POST', body: '<full/>', headers: { 'content-type': 'application/xml' } })
  assert.equal(media.statusCode, 415)
  await media.body.dump()
  const sameName = await admin(ramp, 'POST', '/api/v1/rollout', { version: { name: 'v1', backends: ['http://127.0.0.1:9009'] }, supersede: true })
  assert.equal(sameName.status, 400)
})

test('GET /api/v1/rollout/events lists the history and GET /api/v1/events streams each new event', async (t) => {
  const { ramp, when } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const res = await request(`${ramp.urls.admin}/api/v1/events`)
  assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8')
  let text = ''
  const reading = (async () => {
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString()
      if (text.includes('event: rollout')) break
    }
  })()
  await waitFor('the first status message', () => text.includes('event: status'))
  await when.promote()
  await reading
  const block = text.split('\n\n').find((b) => b.startsWith('event: rollout')) as string
  const data = JSON.parse(block.split('\n')[1]?.slice('data: '.length) ?? '{}') as { entry: { event: string; from: string; to: string; actor: string }; status: { phase: string } }
  assert.deepEqual({ event: data.entry.event, actor: data.entry.actor, to: data.entry.to }, { event: 'promote', actor: 'admin', to: 'Healthy' })
  assert.equal(data.status.phase, 'Healthy')

  const history = await admin<{ events: Array<{ event: string; at: string; from: string; to: string; detail: string }> }>(ramp, 'GET', '/api/v1/rollout/events')
  assert.deepEqual(history.body.events.map((e) => e.event), ['start', 'ready', 'promote'])
  assert.ok(history.body.events.every((e) => !Number.isNaN(Date.parse(e.at)) && e.detail !== ''))
})

test('GET /api/v1/rollout has the whole state and /api/v1/status keeps the data-plane shape', async (t) => {
  const { ramp } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const status = (await admin(ramp, 'GET', '/api/v1/status')).body
  assert.deepEqual(Object.keys(status).sort(), ['canary', 'message', 'mode', 'panic', 'phase', 'reason', 'stable', 'step', 'weight'])
  assert.equal(status.weight, 20)
  const rollout = (await admin(ramp, 'GET', '/api/v1/rollout')).body
  for (const key of ['phase', 'reason', 'message', 'strategy', 'steps', 'step', 'weight', 'stable', 'canary', 'pauseUntil', 'previousStable', 'allowed', 'startedAt', 'updatedAt', 'panic', 'health']) {
    assert.ok(key in rollout, `GET /api/v1/rollout has ${key}`)
  }
  assert.deepEqual((rollout.steps as Array<{ current: boolean }>).map((s) => s.current), [false, true, false])
})

test('the OpenAPI document describes every admin route with its body schema', async (t) => {
  const { ramp } = await given(t, { strategy: steps })
  const doc = (await admin<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>(ramp, 'GET', '/api/v1/openapi.json')).body
  assert.equal(doc.openapi, '3.0.3')
  for (const path of ['/api/v1/status', '/api/v1/rollout', '/api/v1/rollout/promote', '/api/v1/rollout/abort', '/api/v1/rollout/retry', '/api/v1/rollout/pause', '/api/v1/rollout/resume', '/api/v1/rollout/weight', '/api/v1/weight', '/api/v1/rollout/events', '/api/v1/events', '/healthz', '/readyz', '/metrics']) {
    assert.ok(doc.paths[path] !== undefined, `${path} is documented`)
  }
  assert.ok(doc.paths['/api/v1/rollout/weight']?.put?.requestBody !== undefined, 'the weight body is described')
})
