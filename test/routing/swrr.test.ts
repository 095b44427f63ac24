import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ExactSplit, splitPeriod } from '../../src/routing/swrr.js'
import { percentToBp } from '../../src/routing/weight.js'

/** nginx's algorithm as written there, two current weights, stable listed first. */
function nginx(weightBp: number): () => { added: [number, number]; picked: 'canary' | 'stable'; after: [number, number] } {
  const peers = [{ name: 'stable' as const, w: 10_000 - weightBp, cur: 0 }, { name: 'canary' as const, w: weightBp, cur: 0 }]
  return () => {
    let best: (typeof peers)[number] | undefined
    for (const p of peers) {
      p.cur += p.w
      if (best === undefined || p.cur > best.cur) best = p
    }
    const added: [number, number] = [peers[1]!.cur, peers[0]!.cur]
    best!.cur -= 10_000
    return { added, picked: best!.name, after: [peers[1]!.cur, peers[0]!.cur] }
  }
}

function picks(weightBp: number, n: number): boolean[] {
  const s = new ExactSplit(weightBp)
  return Array.from({ length: n }, () => s.pickCanary())
}

/** The canary count of every window of `len` consecutive picks. */
function windowCounts(seq: boolean[], len: number): Set<number> {
  const counts = new Set<number>()
  let c = 0
  for (let i = 0; i < seq.length; i++) {
    if (seq[i]) c++
    if (i >= len && seq[i - len]) c--
    if (i >= len - 1) counts.add(c)
  }
  return counts
}

describe('the worked example (swrr.ts), weights 2000/8000', () => {
  // [canary + 2000, stable + 8000, picked, (canary, stable) after taking 10000 off]
  const table: Array<[number, number, 'canary' | 'stable', [number, number]]> = [
    [2000, 8000, 'stable', [2000, -2000]],
    [4000, 6000, 'stable', [4000, -4000]],
    [6000, 4000, 'canary', [-4000, 4000]],
    [-2000, 12000, 'stable', [-2000, 2000]],
    [0, 10000, 'stable', [0, 0]],
  ]
  const ref = nginx(2000)
  const split = new ExactSplit(2000)
  table.forEach(([c, s, picked, after], i) => {
    test(`pick ${i + 1}: ${c} vs ${s} -> ${picked}, then (${after.join(', ')})`, () => {
      const r = ref()
      assert.deepEqual(r, { added: [c, s], picked, after })
      assert.equal(split.pickCanary(), picked === 'canary')
    })
  })
})

describe('ExactSplit is exact over every window of its period', () => {
  const rows: Array<{ weight: number; period: number; perPeriod: number }> = [
    { weight: 20, period: 5, perPeriod: 1 },
    { weight: 12.5, period: 8, perPeriod: 1 },
    { weight: 33.33, period: 10_000, perPeriod: 3333 },
    { weight: 0.01, period: 10_000, perPeriod: 1 },
    { weight: 50, period: 2, perPeriod: 1 },
    { weight: 0, period: 1, perPeriod: 0 },
    { weight: 100, period: 1, perPeriod: 1 },
  ]
  for (const r of rows) {
    test(`weight ${r.weight}: exactly ${r.perPeriod} in every ${r.period} consecutive picks`, () => {
      const bp = percentToBp(r.weight)
      assert.equal(splitPeriod(bp), r.period)
      assert.equal(new ExactSplit(bp).period, r.period)
      const seq = picks(bp, 3 * r.period + 7)
      assert.deepEqual([...windowCounts(seq, r.period)], [r.perPeriod])
    })
  }

  test('weight 20: every window of 100 has exactly 20', () => {
    assert.deepEqual([...windowCounts(picks(2000, 1000), 100)], [20])
  })

  test('the same sequence as nginx for any weight', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), (bp) => {
      const ref = nginx(bp)
      const split = new ExactSplit(bp)
      for (let i = 0; i < 200; i++) assert.equal(split.pickCanary(), ref().picked === 'canary')
    }))
  })

  test('smooth: any window of L picks is within one of L x weight', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 300 }), (bp, len) => {
      const seq = picks(bp, 600)
      for (const c of windowCounts(seq, len)) assert.ok(Math.abs(c - (len * bp) / 10_000) < 1, `${c} in ${len} at ${bp} bp`)
    }))
  })

  test('a weight that is not 0..10000 basis points is refused', () => {
    for (const bp of [-1, 10_001, 12.5, Number.NaN]) assert.throws(() => new ExactSplit(bp), RangeError)
  })
})
