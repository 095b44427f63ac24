import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import * as undici from 'undici'
import { Agent, Dispatcher, request } from '../src/undici-core.js'

// src/undici-core.ts reaches into undici's module layout; an undici that moved a file fails here.
test('undici-core\'s classes are undici\'s own, and its request answers as undici\'s does', async (t) => {
  assert.equal(Agent, undici.Agent)
  assert.equal(Dispatcher, undici.Dispatcher)
  const server = createServer((req, res) => res.end(`${req.method} ${req.url}`)).listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  t.after(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const agent = new Agent()
  t.after(() => agent.close())
  for (const [url, opts, want] of [
    [`${base}/a?b=1`, { dispatcher: agent }, 'GET /a?b=1'],
    [new URL('/c', base), { method: 'POST' as const, body: 'x' }, 'POST /c'],
    [`${base}/d`, { body: 'x' }, 'PUT /d'],
  ] as const) {
    const res = await request(url, opts)
    assert.equal(res.statusCode, 200)
    assert.equal(await res.body.text(), want)
  }
  const viaMethod = await agent.request({ origin: base, path: '/e', method: 'GET' })
  assert.equal(await viaMethod.body.text(), 'GET /e')
})
