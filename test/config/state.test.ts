import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../src/config/load.js'
import { isRampError } from '../../src/errors.js'
import { createStore, isShared, storeFromConfig } from '../../src/state/factory.js'
import { redisDescription } from '../../src/state/redis.js'

const base = 'listen: { port: 8080 }\nname: shop\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n'

function problems(yaml: string): string[] {
  try {
    parseConfig(`${base}${yaml}`, null, {})
  } catch (err) {
    if (isRampError(err)) return (err.details as { problems?: string[] }).problems ?? []
    throw err
  }
  return []
}

const table: Array<[string, string, RegExp | null]> = [
  ['redis with a URL', 'state: { store: redis, url: "redis://127.0.0.1:6379/0" }', null],
  ['rediss with key and instance', 'state: { store: redis, url: "rediss://:pw@cache.internal:6380/2", key: shop-rollout, instance: ingress-a }', null],
  ['redis without a URL', 'state: { store: redis }', /^state\.url: store: redis needs the server's URL/],
  ['a URL that is not Redis\'s', 'state: { store: redis, url: "http://127.0.0.1:6379" }', /^state\.url: .*\^rediss\?:\/\//],
  ['a key with a space', 'state: { store: redis, url: "redis://h:6379", key: "a b" }', /^state\.key/],
  ['a URL with the file store', 'state: { store: file, url: "redis://h:6379" }', /^state\.url: only read with store: redis \(the store is file\)/],
  ['an instance name with the memory store', 'state: { store: memory, instance: a }', /^state\.instance: only read with store: redis \(the store is memory\)/],
]

for (const [name, yaml, want] of table) {
  test(`state config: ${name} ${want === null ? 'loads' : 'is refused, naming the field'}`, () => {
    const found = problems(`${yaml}\n`)
    if (want === null) assert.deepEqual(found, [])
    else assert.ok(found.some((p) => want.test(p)), found.join('\n'))
  })
}

test('a Redis store: its key defaults to the rollout\'s name, its description hides the password', async () => {
  const config = parseConfig(`${base}state: { store: redis, url: "redis://:secret@cache.internal:6380/2" }\n`, null, {})
  const store = await storeFromConfig(config, {})
  assert.ok(isShared(store))
  assert.equal(store.keys.doc, 'shop')
  assert.equal(store.keys.leader, 'shop:leader')
  assert.equal(store.description, 'redis cache.internal:6380/2 key shop')
  assert.ok(!store.description.includes('secret'))
  store.redis.disconnect()
  assert.equal(redisDescription({ url: 'rediss://h:1/0', key: 'k' }), 'redis rediss://h:1/0 key k')
  assert.equal(isShared(await createStore({ store: 'memory', path: '' })), false)
})
