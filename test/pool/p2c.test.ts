import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isAvailable, type Backend } from '../../src/pool/backend.js'
import { pickBackend } from '../../src/pool/p2c.js'
import { createPool, type VersionPool } from '../../src/pool/pool.js'
import { binomialBounds, seeded } from '../support/prng.js'

function pool(n: number): VersionPool {
  return createPool('v1', Array.from({ length: n }, (_, i) => `http://127.0.0.1:${9001 + i}`))
}

/** Holds `b` out as active checks would, and refreshes the candidates as the health monitor does. */
function takeOut(p: VersionPool, ...out: Backend[]): void {
  for (const b of out) b.health.check = { healthy: false, passes: 0, failures: 3 }
  p.available = p.backends.filter(isAvailable)
}

function counts(p: VersionPool, n: number, random: () => number, exclude?: Backend): Map<Backend | undefined, number> {
  const seen = new Map<Backend | undefined, number>()
  for (let i = 0; i < n; i++) {
    const b = pickBackend(p, random, exclude)
    seen.set(b, (seen.get(b) ?? 0) + 1)
  }
  return seen
}

describe('P2C over available backends', () => {
  test('an unavailable backend is never picked while others are available', () => {
    const p = pool(4)
    const [a, b, c, d] = p.backends as [Backend, Backend, Backend, Backend]
    takeOut(p, b, d)
    const seen = counts(p, 2000, seeded(1))
    assert.deepEqual([...seen.keys()].sort((x, y) => (x?.url ?? '').localeCompare(y?.url ?? '')), [a, c])
  })

  test('the least loaded of the two choices wins', () => {
    const p = pool(2)
    const [a, b] = p.backends as [Backend, Backend]
    a.inflight = 5
    b.inflight = 1
    assert.equal(pickBackend(p, seeded(2)), b)
  })

  test('exclude leaves out the backend a retry must not go back to, among the available ones', () => {
    const p = pool(3)
    const [a, b, c] = p.backends as [Backend, Backend, Backend]
    takeOut(p, c)
    assert.deepEqual([...counts(p, 200, seeded(3), a).keys()], [b])
    assert.deepEqual([...counts(p, 200, seeded(3), b).keys()], [a])
  })

  test('exclude of the only available backend leaves no pick', () => {
    const p = pool(2)
    const [a, b] = p.backends as [Backend, Backend]
    takeOut(p, b)
    assert.equal(pickBackend(p, seeded(4), a), undefined)
    assert.equal(pickBackend(p, seeded(4)), a)
  })

  test('exclude of an unavailable backend changes nothing', () => {
    const p = pool(3)
    const [a, b, c] = p.backends as [Backend, Backend, Backend]
    takeOut(p, c)
    const seen = counts(p, 400, seeded(5), c)
    assert.deepEqual(new Set(seen.keys()), new Set([a, b]))
  })

  test('with no available backend every backend is a candidate (panic), still leaving out exclude', () => {
    const p = pool(3)
    const [a, b, c] = p.backends as [Backend, Backend, Backend]
    takeOut(p, a, b, c)
    assert.equal(p.available.length, 0)
    assert.deepEqual(new Set(counts(p, 600, seeded(6)).keys()), new Set([a, b, c]))
    assert.deepEqual(new Set(counts(p, 600, seeded(6), a).keys()), new Set([b, c]))
  })

  test('an idle pool spreads its load evenly over the available backends', () => {
    const p = pool(3)
    const [, b] = p.backends as [Backend, Backend, Backend]
    takeOut(p, b)
    const n = 2000
    const seen = counts(p, n, seeded(7))
    for (const x of p.available) assert.equal(seen.get(x), n / 2, 'two candidates: the round robin alternates exactly')
  })
})

describe('slow start shares', () => {
  // With two idle backends the round robin hands each half the picks; a winner in slow start
  // keeps its pick with probability share, so it serves Binomial(n/2, share) of n.
  for (const share of [0.05, 0.25, 0.5, 0.9]) {
    test(`a backend at share ${share} takes its share of the picks it would win`, () => {
      const p = pool(2)
      const [a, b] = p.backends as [Backend, Backend]
      a.health.share = share
      const n = 20_000
      const seen = counts(p, n, seeded(Math.round(share * 1000)))
      const { low, high } = binomialBounds(n / 2, share)
      const got = seen.get(a) ?? 0
      assert.ok(got >= low && got <= high, `${got} picks of ${n}, bounds ${low}..${high}`)
      assert.equal(got + (seen.get(b) ?? 0), n)
    })
  }

  test('among three idle backends one at share 0.2 serves about a fifth of a third', () => {
    const p = pool(3)
    const [a] = p.backends as [Backend, Backend, Backend]
    a.health.share = 0.2
    const n = 30_000
    // The pair is random and ties alternate: `a` wins a third of the picks, and keeps each with p 0.2.
    const seen = counts(p, n, seeded(11))
    const { low, high } = binomialBounds(n, 0.2 / 3)
    const got = seen.get(a) ?? 0
    assert.ok(got >= low && got <= high, `${got} picks of ${n}, bounds ${low}..${high}`)
  })

  test('a lone backend in slow start still takes every request: there is nowhere else to send them', () => {
    const p = pool(1)
    const [a] = p.backends as [Backend]
    a.health.share = 0.05
    assert.equal(counts(p, 100, seeded(12)).get(a), 100)
  })
})
