import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bucketCount, bucketEdges, bucketIndex, bucketValue, highestMs, lowestMs, relativeError } from '../../src/analysis/histogram.js'
import { Measurements } from '../../src/analysis/window.js'
import { seeded } from '../support/prng.js'

const close = (actual: number, expected: number, digits = 2): void =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ${expected}`)

describe('bucket math', () => {
  test('142 buckets from 0.1 ms to 62.37 s, each within 4.88% of its reported value', () => {
    assert.equal(bucketCount, 142)
    assert.equal(lowestMs, 0.1)
    close(highestMs, 62370.03)
    close(relativeError, 0.0488, 4)
  })

  // [duration ms, bucket, lower edge, upper edge, reported value]
  const rows: Array<[string, number, number, number, number, number]> = [
    ['the worked example: 250 ms', 250, 83, 247.86, 272.64, 259.95],
    ['zero is under the lowest edge', 0, 0, 0, 0.1, 0.1],
    ['0.05 ms is under the lowest edge', 0.05, 0, 0, 0.1, 0.1],
    ['NaN goes to the lowest bucket', NaN, 0, 0, 0.1, 0.1],
    ['a negative duration goes to the lowest bucket', -3, 0, 0, 0.1, 0.1],
    ['0.1 ms opens bucket 1', 0.1, 1, 0.1, 0.11, 0.1049],
    ['1 ms', 1, 25, 0.98497, 1.08347, 1.03305],
    ['1 s', 1000, 97, 941.23, 1035.36, 987.17],
    ['60 s is in the last finite bucket', 60_000, 140, 56700.02, 62370.03, 59467.49],
    ['62.37 s is past the last edge', 62_370.03, 141, 62370.03, Infinity, 62370.03],
    ['an hour reports the last edge, a bound', 3_600_000, 141, 62370.03, Infinity, 62370.03],
  ]
  for (const [name, ms, k, lo, hi, reported] of rows) {
    test(name, () => {
      assert.equal(bucketIndex(ms), k)
      const [l, h] = bucketEdges(k)
      close(l, lo)
      if (hi === Infinity) assert.equal(h, Infinity)
      else close(h, hi)
      close(bucketValue(k), reported)
    })
  }

  test('a value exactly on an edge goes to the bucket that edge opens', () => {
    for (let k = 1; k < bucketCount; k++) {
      const [lo] = bucketEdges(k)
      assert.equal(bucketIndex(lo), k, `edge ${lo}`)
      assert.equal(bucketIndex(lo * (1 - 1e-12)), k - 1, `just under edge ${lo}`)
    }
  })

  test('every finite bucket reports a value within the relative error of both its edges', () => {
    for (let k = 1; k < bucketCount - 1; k++) {
      const [lo, hi] = bucketEdges(k)
      const v = bucketValue(k)
      assert.ok((v - lo) / lo <= relativeError + 1e-12 && (hi - v) / hi <= relativeError + 1e-12, `bucket ${k}`)
    }
  })
})

describe('quantile accuracy', () => {
  const random = seeded(42)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const distributions: Array<[string, () => number]> = [
    ['uniform 1..1000 ms', () => 1 + random() * 999],
    ['log-normal around 50 ms', () => 50 * Math.exp(normal())],
    ['exponential, mean 20 ms', () => -20 * Math.log(1 - random())],
    ['bimodal: 97% near 5 ms, 3% near 800 ms', () => (random() < 0.97 ? 5 : 800) * (0.8 + 0.4 * random())],
    ['log-uniform over the whole range', () => 0.1 * Math.exp(random() * Math.log(600_000))],
    ['constant 250 ms', () => 250],
  ]
  for (const [name, draw] of distributions) {
    test(`${name}: p50, p90, p99, p99.9 within ${(relativeError * 100).toFixed(2)}%`, () => {
      const m = new Measurements()
      const values = Array.from({ length: 20_000 }, draw)
      values.forEach((v, i) => m.record('main', 'v2', 200, v, undefined, 1_000_000 + (i % 10_000)))
      const sorted = [...values].sort((a, b) => a - b)
      const w = m.window('main', 'v2', 1_000_000, 1_010_000)
      assert.equal(w.requests, values.length)
      for (const q of [0.5, 0.9, 0.99, 0.999]) {
        const exact = sorted[Math.ceil(q * sorted.length) - 1] as number
        const estimate = w.quantile(q) as number
        assert.ok(Math.abs(estimate - exact) / exact <= relativeError + 1e-12, `q ${q}: ${estimate} vs ${exact}`)
      }
    })
  }

  test('the extremes: q 0 is the fastest request, q 1 the slowest', () => {
    const m = new Measurements()
    for (const v of [3, 30, 300]) m.record('main', 'v2', 200, v, undefined, 0)
    const w = m.window('main', 'v2', 0, 1000)
    assert.equal(bucketIndex(w.quantile(0) as number), bucketIndex(3))
    assert.equal(bucketIndex(w.quantile(1) as number), bucketIndex(300))
  })

  test('a rank is not pushed one past by float error in q × n (0.07 × 100)', () => {
    const m = new Measurements()
    for (let i = 1; i <= 100; i++) m.record('main', 'v2', 200, i * 10, undefined, 0)
    assert.equal(bucketIndex(m.window('main', 'v2', 0, 1000).quantile(0.07) as number), bucketIndex(70))
  })
})
