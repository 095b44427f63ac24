import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { comparison, describeMeasurement, formatNumber, utcTime } from '../../src/analysis/sentence.js'
import type { Range } from '../../src/analysis/types.js'

describe('numbers in messages', () => {
  const rows: Array<[number, number | undefined, string]> = [
    [0.96237, undefined, '0.962'],
    [0.5, undefined, '0.5'],
    [0, undefined, '0'],
    [259.954, undefined, '260'],
    [12345.6, undefined, '12346'],
    [0.0012345, undefined, '0.00123'],
    [-0.25, undefined, '-0.25'],
    [0.98996, 0.99, '0.98996'], // three digits would print "0.99 < 0.99"
    [0.99, 0.99, '0.99'],
    [500.4, 500, '500.4'],
    [NaN, undefined, 'NaN'],
  ]
  for (const [value, bound, text] of rows) test(`${value}${bound === undefined ? '' : ` against ${bound}`} -> ${text}`, () => assert.equal(formatNumber(value, bound), text))
})

describe('comparisons', () => {
  const rows: Array<[number, Range, string]> = [
    [0.962, { min: 0.99 }, '0.962 < 0.99'],
    [0.995, { min: 0.99 }, '0.995 >= 0.99'],
    [812, { max: 500 }, '812 > 500'],
    [230, { max: 500 }, '230 <= 500'],
    [3, { min: 1, max: 5 }, '1 <= 3 <= 5'],
    [0, { min: 1, max: 5 }, '0 < 1'],
    [7, {}, '7'],
  ]
  for (const [value, range, text] of rows) test(text, () => assert.equal(comparison(value, range), text))
})

describe('sentences', () => {
  const at = Date.UTC(2026, 0, 1, 12, 3, 10)
  test('times are UTC seconds', () => assert.equal(utcTime(1700000590000), '22:23:10'))
  test('a window without a request count', () => {
    assert.equal(describeMeasurement({ metric: 'rate', phase: 'Successful', value: 4, range: { min: 1 }, sampleSize: null, windowMs: 30_000, at }),
      'rate 4 >= 1 over a 30s window at 12:03:10')
  })
})
