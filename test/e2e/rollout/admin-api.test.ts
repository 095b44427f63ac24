import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request } from 'undici'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

const steps = 'canary:\n  steps:\n    - setWeight: 20\n    - pause: {}\n    - setWeight: 100'

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('mutating calls without the token answer 401; with it they pass; reads stay open', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: steps }), workers, env: { RAMP_ADMIN_TOKEN: 'sekret' } })
      await w.routed()
      const none = await w.admin.promote()
      assert.equal(none.status, 401)
      assert.equal(none.body.error, 'RAMP_ERR_ADMIN_UNAUTHORIZED')
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="ramp"')
      const wrong = await w.admin.with({ authorization: 'Bearer sekreT' }).promote()
      assert.equal(wrong.status, 401)
      assert.equal((await w.rollout()).reason, 'CanaryPauseStep', 'nothing moved')
      const right = await w.admin.with({ authorization: 'Bearer sekret' }).promote()
      assert.equal(right.status, 200)
      assert.equal((await w.admin.call('GET', '/api/v1/rollout')).status, 200)
    })

    test('ramp refuses to start with the admin listener on a non-loopback address and no token', async (t) => {
      const said = /the admin listener binds 0\.0\.0\.0, which is not a loopback address, and no admin token is set/
      await assert.rejects(world(t, { config: release({ v1: 'http://127.0.0.1:9001', more: 'admin: { host: 0.0.0.0 }' }), workers }), (err: { code?: string; message: string }) =>
        said.test(err.message) && (workers === 1 ? err.code === 'RAMP_ERR_ADMIN_INSECURE' : /hint: set admin\.token/.test(err.message)))
    })

    test('unknown paths answer 404, wrong methods 405 with Allow, and a bad body 400 naming the field', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: steps }), workers })
      const missing = await w.admin.call('GET', '/api/v1/nope')
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error, 'RAMP_ERR_ADMIN_NOT_FOUND')
      const method = await w.admin.call('GET', '/api/v1/rollout/promote')
      assert.equal(method.status, 405)
      assert.equal(method.headers.allow, 'POST')
      const body = await w.admin.deploy({ name: 'v3', backends: ['htp://x'] })
      assert.equal(body.status, 400)
      assert.match(String(body.body.message), /body\.version\.backends\[0\]: "htp:\/\/x" is not an http\(s\) or h2c URL/)
      const media = await w.admin.call('POST', '/api/v1/rollout/promote', '<full/>', { 'content-type': 'application/xml' })
      assert.equal(media.status, 415)
      const sameName = await w.admin.deploy({ name: 'v1', backends: ['http://127.0.0.1:9009'] }, { supersede: true })
      assert.equal(sameName.status, 400)
    })

    test('GET /api/v1/rollout/events lists the history and GET /api/v1/events streams each new event', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: steps }), workers })
      await w.routed()
      const res = await request(`${w.urls.admin}/api/v1/events`)
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8')
      let text = ''
      const reading = (async () => {
        for await (const chunk of res.body) {
          text += (chunk as Buffer).toString()
          if (text.includes('event: rollout')) break
        }
      })()
      await waitFor('the first status message', () => text.includes('event: status'))
      await w.admin.promote()
      await reading
      const block = text.split('\n\n').find((b) => b.startsWith('event: rollout')) as string
      const data = JSON.parse(block.split('\n')[1]?.slice('data: '.length) ?? '{}') as { entry: { event: string; from: string; to: string; actor: string }; status: { phase: string } }
      assert.deepEqual({ event: data.entry.event, actor: data.entry.actor, to: data.entry.to }, { event: 'promote', actor: 'admin', to: 'Healthy' })
      assert.equal(data.status.phase, 'Healthy')

      const history = await w.history()
      assert.deepEqual(history.map((e) => e.event), ['start', 'ready', 'promote'])
      assert.ok(history.every((e) => !Number.isNaN(Date.parse(e.at)) && e.detail !== ''))
    })

    test('GET /api/v1/rollout has the whole state and /api/v1/status keeps the data-plane shape', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: steps }), workers })
      await w.routed()
      const status = (await w.admin.call('GET', '/api/v1/status')).body
      assert.deepEqual(Object.keys(status).sort(), ['canary', 'message', 'mode', 'panic', 'phase', 'reason', 'stable', 'step', 'weight'])
      assert.equal(status.weight, 20)
      const rollout = (await w.admin.call('GET', '/api/v1/rollout')).body
      for (const key of ['phase', 'reason', 'message', 'strategy', 'steps', 'step', 'weight', 'stable', 'canary', 'pauseUntil', 'previousStable', 'allowed', 'startedAt', 'updatedAt', 'panic', 'health']) {
        assert.ok(key in rollout, `GET /api/v1/rollout has ${key}`)
      }
      assert.deepEqual((rollout.steps as Array<{ current: boolean }>).map((s) => s.current), [false, true, false])
    })

    test('the OpenAPI document describes every admin route with its body schema', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: steps }), workers })
      const doc = await w.admin.read<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>('/api/v1/openapi.json')
      assert.equal(doc.openapi, '3.0.3')
      for (const path of ['/api/v1/status', '/api/v1/rollout', '/api/v1/rollout/promote', '/api/v1/rollout/abort', '/api/v1/rollout/retry', '/api/v1/rollout/pause', '/api/v1/rollout/resume', '/api/v1/rollout/weight', '/api/v1/weight', '/api/v1/rollout/events', '/api/v1/events', '/healthz', '/readyz', '/metrics']) {
        assert.ok(doc.paths[path] !== undefined, `${path} is documented`)
      }
      assert.ok(doc.paths['/api/v1/rollout/weight']?.put?.requestBody !== undefined, 'the weight body is described')
    })
  })
}
