import assert from 'node:assert/strict'
import { constants, createServer } from 'node:http2'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestContext } from 'node:test'
import { test } from 'node:test'
import { echoClient, grpc, grpcBackend, say, targetOf, type EchoClient, type Msg } from '../../support/grpc.js'
import { listen } from '../../support/websocket.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

/** Calls of a safe method are retried after a backend saw them (grpc.retry); the rest only when none did (errors.test.ts). */
const safe = (methods: string, more = ''): string => `listen: { http2: true }\noutlier: { enabled: false }\ngrpc: { retry: { methods: ${methods}${more} } }`

/**
 * An h2c backend that takes a call and then resets its stream (INTERNAL_ERROR), after its
 * first DATA frame: the backend saw the call and part of its body, and answered nothing.
 */
async function resettingBackend(t: TestContext): Promise<{ url: string; calls: () => number; bytes: () => number }> {
  let calls = 0
  let bytes = 0
  const server = createServer()
  server.on('stream', (stream) => {
    calls++
    // Closing it with an error code makes the server side emit that error too.
    stream.on('error', () => {})
    stream.once('data', (chunk: Buffer) => {
      bytes += chunk.length
      stream.close(constants.NGHTTP2_INTERNAL_ERROR)
    })
  })
  // ramp's sessions may outlive this test's backends: listen destroys their sockets at the end.
  const port = await listen(t, server)
  return { url: `h2c://127.0.0.1:${port}`, calls: () => calls, bytes: () => bytes }
}

/** A client-streaming Collect call: `first`, a pause (the backend may fail in it), then `rest`; the count the server read. */
function collect(client: EchoClient, first: string, rest: readonly string[]): Promise<{ msg: Msg | null; error: grpc.ServiceError | null }> {
  return new Promise((resolve) => {
    const call = client.Collect(new grpc.Metadata(), { deadline: Date.now() + 5000 }, (error, msg) => resolve({ msg: msg ?? null, error }))
    call.write({ text: first })
    void sleep(50).then(() => {
      for (const text of rest) call.write({ text })
      call.end()
    })
  })
}

test('a safe method answered UNAVAILABLE (trailers-only) by one backend is retried on another: every call succeeds, its body whole', async (t) => {
  const down = await grpcBackend(t, { name: 'down', unavailableRate: 1 })
  const up = await grpcBackend(t, { name: 'up' })
  const w = await world(t, { config: release({ v1: [down.url, up.url], more: safe('[/demo.Echo/Say]') }) })
  const client = echoClient(t, targetOf(w.urls.main))
  for (let i = 0; i < 20; i++) {
    const r = await say(client, `call ${i}`)
    assert.equal(r.error, null, `call ${i}: ${r.error?.details ?? ''}`)
    assert.deepEqual(r.msg, { text: `call ${i}`, version: 'up' })
  }
  assert.ok(down.calls() > 0, 'some calls reached the failing backend first')
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'grpc_status', result: 'retried' }), down.calls(), 'each of them was retried once')
  assert.equal(up.calls(), 20)
})

test('a safe method that fails everywhere is tried retry.attempts times, and the client gets the last answer', async (t) => {
  const a = await grpcBackend(t, { name: 'a', unavailableRate: 1 })
  const b = await grpcBackend(t, { name: 'b', unavailableRate: 1 })
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: `${safe('[/demo.Echo/*]')}\nretry: { attempts: 3, backoffMs: 1 }` }) })
  const client = echoClient(t, targetOf(w.urls.main))
  for (let i = 0; i < 10; i++) {
    const r = await say(client, 'x')
    assert.equal(r.error?.code, grpc.status.UNAVAILABLE)
    assert.match(r.error?.details ?? '', /^(a|b) is down$/, 'the backend\'s own answer, passed on')
  }
  assert.equal(a.calls() + b.calls(), 30, 'three tries per call')
  assert.ok(a.calls() >= 10 && b.calls() >= 10, 'never the backend that just failed: a try alternates between them')
})

test('only the codes of grpc.retry.onCodes are retried: INTERNAL is not, by default', async (t) => {
  const down = await grpcBackend(t, { name: 'down', unavailableRate: 1 })
  const w = await world(t, { config: release({ v1: [down.url, (await grpcBackend(t, { name: 'up' })).url], more: safe('[/demo.Echo/Say]', ', onCodes: [INTERNAL]') }) })
  const client = echoClient(t, targetOf(w.urls.main))
  let failed = 0
  for (let i = 0; i < 20; i++) if ((await say(client, 'x')).error?.code === grpc.status.UNAVAILABLE) failed++
  assert.ok(failed > 0, 'UNAVAILABLE reached the client')
  assert.equal(failed, down.calls(), 'every call the failing backend took failed: none was retried')
})

test('a safe client-streaming call whose backend reset it mid-body is sent again whole to another backend', async (t) => {
  const bad = await resettingBackend(t)
  const up = await grpcBackend(t, { name: 'up' })
  const w = await world(t, { config: release({ v1: [bad.url, up.url], more: safe('[/demo.Echo/Collect]') }) })
  const client = echoClient(t, targetOf(w.urls.main))
  for (let i = 0; i < 20; i++) {
    const r = await collect(client, 'one', ['two', 'three', 'four'])
    assert.equal(r.error, null, `call ${i}: ${r.error?.details ?? ''}`)
    assert.deepEqual(r.msg, { text: '4', version: 'up' }, 'every message reached the backend that answered, the first one too')
  }
  assert.ok(bad.calls() > 0 && bad.bytes() > 0, 'some calls reached the resetting backend first, with part of their body')
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'reset', result: 'retried' }), bad.calls())
})

test('a safe call whose body outgrew grpc.retry.bufferBytes is not sent again: the client gets the failure', async (t) => {
  const bad = await resettingBackend(t)
  const up = await grpcBackend(t, { name: 'up' })
  const w = await world(t, { config: release({ v1: [bad.url, up.url], more: safe('[/demo.Echo/Collect]', ', bufferBytes: 64') }) })
  const client = echoClient(t, targetOf(w.urls.main))
  let failed = 0
  for (let i = 0; i < 20; i++) {
    const r = await collect(client, 'x'.repeat(100), [])
    if (r.error !== null) {
      failed++
      assert.equal(r.error.code, grpc.status.UNAVAILABLE, r.error.details)
    } else assert.deepEqual(r.msg, { text: '1', version: 'up' })
  }
  assert.equal(failed, bad.calls(), 'every call that reached the resetting backend failed')
  assert.ok(failed > 0)
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'reset', result: 'retried' }), 0)
})

test('a server\'s grpc-retry-pushback-ms is obeyed: a negative one means no retry, a number is the wait before it', async (t) => {
  const never = await grpcBackend(t, { name: 'never', unavailableRate: 1, pushback: '-1' })
  const later = await grpcBackend(t, { name: 'later', unavailableRate: 1, pushback: '300' })
  const up = await grpcBackend(t, { name: 'up' })
  const w = await world(t, { config: release({ v1: [never.url, up.url], v2: [later.url, up.url], more: `${safe('[/demo.Echo/Say]')}\nretry: { backoffMs: 1, maxBackoffMs: 1 }` }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  let refused = 0
  for (let i = 0; i < 20; i++) if ((await say(client, 'x', { 'x-ramp-version': 'v1' })).error?.code === grpc.status.UNAVAILABLE) refused++
  assert.ok(refused > 0)
  assert.equal(refused, never.calls(), 'no call the server pushed back on was retried')
  for (let i = 0; i < 20 && later.calls() === 0; i++) {
    const started = Date.now()
    const r = await say(client, 'x', { 'x-ramp-version': 'v2' })
    assert.equal(r.error, null, r.error?.details)
    if (later.calls() > 0) assert.ok(Date.now() - started >= 300, `the retry waited the server's 300 ms, not the 1 ms backoff (${Date.now() - started} ms)`)
  }
  assert.equal(later.calls(), 1, 'a call reached the backend asking for 300 ms')
})
