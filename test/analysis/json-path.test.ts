import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeJson, evaluateJsonPath, parseJsonPath, type PathSegment } from '../../src/analysis/json-path.js'

describe('parsing', () => {
  const ok: Array<[string, PathSegment[]]> = [
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ['$.a[0].b', ['a', 0, 'b']],
    ["$['key']", ['key']],
    ['$["p99.9"]', ['p99.9']],
    ["$['it\\'s']", ["it's"]],
    ['$.data.result[0].value[1]', ['data', 'result', 0, 'value', 1]],
    ['$.500', ['500']],
    ['$.http-requests', ['http-requests']],
    ["$['a b'][12]", ['a b', 12]],
  ]
  for (const [path, segments] of ok) test(path, () => assert.deepEqual(parseJsonPath(path), { ok: true, segments }))

  const bad: Array<[string, string]> = [
    ['a.b', 'does not start with $'],
    ['$.', 'has no key after the "." at 1'],
    ['$..a', 'has no key after the "." at 1'],
    ['$.a[', 'has a "[" at 3 that is neither [index] nor [\'key\']'],
    ['$[*]', 'has a "[" at 1 that is neither [index] nor [\'key\']'],
    ['$[-1]', 'has a "[" at 1 that is neither [index] nor [\'key\']'],
    ["$['open]", 'has a "[" at 1 that is neither [index] nor [\'key\']'],
    ['$a', 'has "a" at 1 where "." or "[" should be'],
  ]
  for (const [path, why] of bad) {
    test(`${path} is refused`, () => assert.deepEqual(parseJsonPath(path), { ok: false, message: `${JSON.stringify(path)} ${why}; ramp reads $.a.b, $.a[0].b and $['key']` }))
  }
})

describe('evaluating', () => {
  const doc = { data: { result: [{ value: [1700000000, '0.97'] }], 'p99.9': 412, empty: null }, list: [1, 2], n: 5 }
  const found: Array<[string, unknown]> = [
    ['$.n', 5],
    ['$.data.result[0].value[1]', '0.97'],
    ['$.data["p99.9"]', 412],
    ["$['list'][1]", 2],
    ['$.data.empty', null],
    ['$.list', [1, 2]],
  ]
  for (const [path, value] of found) test(`${path} finds ${JSON.stringify(value)}`, () => assert.deepEqual(evaluateJsonPath(doc, path), { ok: true, value }))

  const missing: Array<[string, string]> = [
    ['$.nope', '$ has no key "nope"'],
    ['$.data.result[3]', '$.data.result has 1 items, no [3]'],
    ['$.n.x', '$.n is the number 5, not an object'],
    ['$.data[0]', '$.data is an object with keys result, p99.9, empty, not an array'],
    ['$.list.a', '$.list is an array of 2 items, not an object'],
    ['$.data.empty.x', '$.data.empty is null, not an object'],
    ['$.constructor', '$ has no key "constructor"'],
    ['$.data["p99.9"].x', '$.data["p99.9"] is the number 412, not an object'],
  ]
  for (const [path, message] of missing) test(`${path}: ${message}`, () => assert.deepEqual(evaluateJsonPath(doc, path), { ok: false, message }))

  test('a bad path is reported, not evaluated', () => assert.equal(evaluateJsonPath(doc, 'n').ok, false))
})

describe('describing what was found', () => {
  const rows: Array<[unknown, string]> = [
    [null, 'null'], [true, 'true'], [3, 'the number 3'], ['up', 'the string "up"'],
    ['x'.repeat(50), `the string "${'x'.repeat(40)}…"`], [[1, 2, 3], 'an array of 3 items'], [{}, 'an empty object'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, 'an object with keys a, b, c, d, e, …'],
  ]
  for (const [v, text] of rows) test(text, () => assert.equal(describeJson(v), text))
})
