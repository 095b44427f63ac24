import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, test, type TestContext } from 'node:test'
import { Redis } from 'ioredis'
import { encodeDoc } from '../../../src/state/format.js'
import { connectRedis, createRedisStore, type RedisStore } from '../../../src/state/redis.js'
import { startRedis } from '../../support/redis.js'
import { docAt, hasCode, storeContract } from '../../state/contract.js'

const server = await startRedis({ after: (fn) => { after(fn) } })

async function open(t: TestContext, key = `contract-${randomUUID()}`): Promise<RedisStore> {
  const target = { url: server.url, key }
  const store = createRedisStore(target, connectRedis(target, 'test'))
  await store.redis.connect()
  t.after(() => store.redis.disconnect())
  return store
}

storeContract('redis', (t) => open(t))

test('a key that holds something else is refused, naming the key, and left untouched', async (t) => {
  const store = await open(t, 'not-ours')
  await store.redis.rpush('not-ours', 'a', 'b')
  await assert.rejects(store.load(), (err: Error) => hasCode('RAMP_ERR_STATE_CORRUPT')(err) && /the key not-ours holds a list, not a ramp state/.test(err.message))
  await assert.rejects(store.save(docAt(1), null), (err: Error) => hasCode('RAMP_ERR_STATE_CORRUPT')(err) && /not-ours/.test(err.message))
  assert.deepEqual(await store.redis.lrange('not-ours', 0, -1), ['a', 'b'])
})

test('a state written by a newer ramp is refused on load and never overwritten', async (t) => {
  const store = await open(t)
  const newer = encodeDoc(docAt(3)).replace('"format": 1', '"format": 2')
  await store.redis.hset(store.keys.doc, 'revision', '3', 'format', '2', 'doc', newer)
  await assert.rejects(store.load(), (err: Error) => hasCode('RAMP_ERR_STATE_CORRUPT')(err) && /newer ramp/.test(err.message))
  await assert.rejects(store.save(docAt(4), 3), (err: Error) => hasCode('RAMP_ERR_STATE_CORRUPT')(err) && /format 2, written by a newer ramp/.test(err.message))
  assert.equal(await store.redis.hget(store.keys.doc, 'doc'), newer)
})

test('a fenced save succeeds only with the token of the lease in force', async (t) => {
  const store = await open(t)
  await store.save(docAt(1), null)
  await store.redis.set(store.keys.leader, '7 other-instance')
  await assert.rejects(store.save(docAt(2), 1, { fence: 6 }), (err: Error) => hasCode('RAMP_ERR_STATE_CONFLICT')(err) && /no longer holds the lease \(now 7 other-instance\)/.test(err.message))
  await store.save(docAt(2), 1, { fence: 7 })
  assert.deepEqual(await store.load(), docAt(2))
})

test('every save publishes its revision on <key>:changes', async (t) => {
  const store = await open(t)
  const sub = new Redis(server.url)
  t.after(() => sub.disconnect())
  await sub.subscribe(store.keys.changes)
  const heard: string[] = []
  sub.on('message', (_channel: string, message: string) => heard.push(message))
  await store.save(docAt(1), null)
  await store.save(docAt(2), 1)
  await assert.rejects(store.save(docAt(2), 1))
  for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(heard, ['1', '2'])
})

test('a stopped server: load and save fail within a second as unavailable, and work again once it answers', async (t) => {
  const store = await open(t)
  await store.save(docAt(1), null)
  server.pause()
  try {
    const started = Date.now()
    await assert.rejects(store.save(docAt(2), 1), (err: Error) => hasCode('RAMP_ERR_STATE_UNAVAILABLE')(err) && /timed out/i.test(err.message))
    await assert.rejects(store.load(), hasCode('RAMP_ERR_STATE_UNAVAILABLE'))
    assert.ok(Date.now() - started < 3000, `both calls took ${Date.now() - started} ms`)
  } finally {
    server.resume()
  }
  // The timed-out save may or may not have reached the server: either way the state is whole.
  const now = await store.load()
  assert.ok(now !== null && (now.state.revision === 1 || now.state.revision === 2))
})
