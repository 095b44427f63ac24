import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { decide, type DecideTable } from '../../src/routing/decide.js'
import { cookieValue } from '../../src/routing/overrides.js'
import { BUCKETS, bucketCookie, bucketOf, cookieBucket, fnv1a32, newBucket } from '../../src/routing/sticky.js'
import type { StickinessSpec } from '../../src/routing/types.js'
import { binomialBounds, seeded } from '../support/prng.js'
import { facts, shaping } from './facts.js'

type V = { name: string }
const V1: V = { name: 'v1' }
const V2: V = { name: 'v2' }
const table = (weightBp: number): DecideTable<V> => ({ stable: V1, canary: V2, weightBp })
const byHeader = shaping({ stickiness: { header: 'x-user' } })
const COOKIE: StickinessSpec = { cookie: 'ramp-bucket', maxAgeSeconds: 86_400, secure: true }
const byCookie = shaping({ stickiness: COOKIE })
const noRandom = (): number => { throw new Error('the weighted draw was used') }

/** Where a request with this sticky key goes at this weight. */
const sideOf = (key: string, weightBp: number): string =>
  decide(table(weightBp), byHeader, 'main', facts({ headers: { 'x-user': key } }), noRandom, null).version.name

/** FNV-1a as the spec writes it, over Node's own UTF-8 encoding: the reference for the inline encoder. */
function referenceFnv(s: string): number {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

describe('the hash', () => {
  test('the worked example (sticky.ts): "a" is 0xe40c292c, bucket 2220, canary from 2221 bp', () => {
    assert.equal(fnv1a32('a'), 0xe40c292c)
    assert.equal(bucketOf('a'), 2220)
    assert.equal(sideOf('a', 2220), 'v1')
    assert.equal(sideOf('a', 2221), 'v2')
  })

  const vectors: Array<[string, number]> = [['', 0x811c9dc5], ['a', 0xe40c292c], ['foobar', 0xbf9cf968]]
  for (const [s, h] of vectors) test(`FNV-1a 32 test vector ${JSON.stringify(s)}`, () => assert.equal(fnv1a32(s), h))

  test('hashes the UTF-8 bytes, surrogate pairs and lone surrogates as Node encodes them', () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))
    const unit = fc.oneof(fc.string({ unit: 'binary', maxLength: 1 }), lone)
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit })), (s) => {
      assert.equal(fnv1a32(s), referenceFnv(s))
    }))
  })
})

describe('cookie buckets', () => {
  const rows: Array<[value: string, want: number]> = [
    ['4821', 4821], ['0', 0], ['9', 9], ['9999', 9999],
    ['10000', bucketOf('10000')], ['04821', bucketOf('04821')], ['-1', bucketOf('-1')], ['48a1', bucketOf('48a1')], ['session-abc', bucketOf('session-abc')],
  ]
  for (const [value, want] of rows) test(`cookie value ${JSON.stringify(value)} is bucket ${want}`, () => assert.equal(cookieBucket(value), want))

  test('newBucket spreads [0, 1) over 0..9999', () => {
    assert.equal(newBucket(() => 0), 0)
    assert.equal(newBucket(() => 0.4821), 4821)
    assert.equal(newBucket(() => 0.99999999), 9999)
    assert.equal(newBucket(() => 1), 9999, 'a random() that breaks its contract still gives a bucket')
  })

  test('Set-Cookie values', () => {
    assert.equal(bucketCookie(COOKIE, 4821), 'ramp-bucket=4821; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400; Secure')
    assert.equal(bucketCookie({ cookie: 'b', maxAgeSeconds: 60, secure: false }, 0), 'b=0; Path=/; HttpOnly; SameSite=Lax; Max-Age=60')
    assert.equal(bucketCookie({ cookie: 'b', maxAgeSeconds: 0, secure: false }, 7), 'b=7; Path=/; HttpOnly; SameSite=Lax', 'a session cookie, not one deleted at once')
  })

  test('round trip: the bucket handed out comes back as the same bucket and the same version', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: BUCKETS - 1 }), fc.integer({ min: 0, max: 10_000 }), (bucket, weightBp) => {
      const first = decide(table(weightBp), byCookie, 'main', facts(), () => (bucket + 0.5) / BUCKETS, null)
      assert.equal(first.assignBucket, bucket)
      assert.equal(first.reason, 'sticky')
      const setCookie = bucketCookie(COOKIE, bucket)
      const pair = setCookie.slice(0, setCookie.indexOf(';'))
      assert.equal(cookieBucket(cookieValue(`other=1; ${pair}`, COOKIE.cookie) ?? ''), bucket)
      const again = decide(table(weightBp), byCookie, 'main', facts({ headers: { cookie: `other=1; ${pair}` } }), noRandom, null)
      assert.deepEqual(again, { ...first, assignBucket: null })
    }))
  })
})

describe('stickiness properties', () => {
  test('raising the weight never moves a key from the canary to stable', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (key, a, b) => {
      fc.pre(key !== '')
      const [low, high] = a <= b ? [a, b] : [b, a]
      if (sideOf(key, low) === 'v2') assert.equal(sideOf(key, high), 'v2')
    }))
  })

  test('weight 0 (an abort) returns every key to stable', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), (key) => assert.equal(sideOf(key, 0), 'v1')))
  })

  test('weight 100 sends every key to the canary', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), (key) => assert.equal(sideOf(key, 10_000), 'v2')))
  })

  const keySets: Array<{ name: string; key: (r: () => number, i: number) => string }> = [
    { name: 'random tokens', key: (r) => Math.floor(r() * 2 ** 52).toString(36) },
    { name: 'consecutive client addresses', key: (_r, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    { name: 'consecutive user ids', key: (_r, i) => `user-${i}` },
  ]
  for (const weight of [1, 5, 20, 50, 90]) {
    for (const ks of keySets) {
      test(`weight ${weight}: the canary share of 10 000 ${ks.name} is within 4 sigma`, () => {
        const r = seeded(weight * 7919)
        let canary = 0
        for (let i = 0; i < 10_000; i++) if (sideOf(ks.key(r, i), weight * 100) === 'v2') canary++
        const { low, high } = binomialBounds(10_000, weight / 100)
        assert.ok(canary >= low && canary <= high, `${canary} not in [${low}, ${high}]`)
      })
    }
  }
})
