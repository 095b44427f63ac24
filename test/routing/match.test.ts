import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { regexProblem } from '../../src/config/regex.js'
import { compileMatch, decodeComponent, queryParam } from '../../src/routing/match.js'
import type { MatchCondition } from '../../src/routing/types.js'
import { facts, LIMITS, untouchable, type FactsInit, type Reads } from './facts.js'

const matches = (conditions: MatchCondition[], init: FactsInit, limits: { regexInputChars: number } = LIMITS): boolean => {
  const m = compileMatch(conditions, limits)
  assert.deepEqual(m.problems, [])
  return m.test(facts(init))
}

describe('match rules', () => {
  const rows: Array<{ name: string; match: MatchCondition[]; req: FactsInit; want: boolean }> = [
    { name: 'header exact: equal value', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' } }], req: { headers: { 'x-env': 'beta' } }, want: true },
    { name: 'header exact: values are case-sensitive', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' } }], req: { headers: { 'x-env': 'Beta' } }, want: false },
    { name: 'header exact: a longer value is not equal', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' } }], req: { headers: { 'x-env': 'beta2' } }, want: false },
    { name: 'header names are case-insensitive', match: [{ headerName: 'X-Env', headerValue: { exact: 'beta' } }], req: { headers: { 'x-env': 'beta' } }, want: true },
    { name: 'header absent', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' } }], req: {}, want: false },
    { name: 'header name alone: present', match: [{ headerName: 'x-beta' }], req: { headers: { 'x-beta': '' } }, want: true },
    { name: 'header name alone: absent', match: [{ headerName: 'x-beta' }], req: {}, want: false },
    { name: 'header prefix', match: [{ headerName: 'user-agent', headerValue: { prefix: 'Mozilla/5.0 (iPhone' } }], req: { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)' } }, want: true },
    { name: 'header prefix: no', match: [{ headerName: 'user-agent', headerValue: { prefix: 'Mozilla/5.0 (iPhone' } }], req: { headers: { 'user-agent': 'Mozilla/5.0 (X11)' } }, want: false },
    { name: 'header regex is a search', match: [{ headerName: 'x-user', headerValue: { regex: '@example\\.com' } }], req: { headers: { 'x-user': 'ann@example.com' } }, want: true },
    { name: 'header regex anchored', match: [{ headerName: 'x-user', headerValue: { regex: '^ann$' } }], req: { headers: { 'x-user': 'joann' } }, want: false },
    { name: 'query exact', match: [{ queryName: 'beta', queryValue: { exact: '1' } }], req: { query: 'x=2&beta=1' }, want: true },
    { name: 'query: + is a space', match: [{ queryName: 'q', queryValue: { exact: 'a b' } }], req: { query: 'q=a+b' }, want: true },
    { name: 'query: percent escapes are UTF-8', match: [{ queryName: 'q', queryValue: { exact: 'été' } }], req: { query: 'q=%C3%A9t%C3%A9' }, want: true },
    { name: 'query: %2B is a plus, not a space', match: [{ queryName: 'q', queryValue: { exact: 'a+b' } }], req: { query: 'q=a%2Bb' }, want: true },
    { name: 'query: the name is decoded too', match: [{ queryName: 'q_id', queryValue: { exact: '7' } }], req: { query: 'q%5Fid=7' }, want: true },
    { name: 'query: a name that only starts the same is another name', match: [{ queryName: 'q', queryValue: { exact: '7' } }], req: { query: 'qq=7' }, want: false },
    { name: 'query: the first occurrence is matched', match: [{ queryName: 'a', queryValue: { exact: '2' } }], req: { query: 'a=1&a=2' }, want: false },
    { name: 'query: a malformed escape is kept as written', match: [{ queryName: 'q', queryValue: { exact: '100%zz' } }], req: { query: 'q=100%zz' }, want: true },
    { name: 'query: a name without = has the empty value', match: [{ queryName: 'debug', queryValue: { exact: '' } }], req: { query: 'debug&x=1' }, want: true },
    { name: 'query name alone: present', match: [{ queryName: 'debug' }], req: { query: 'x=1&debug' }, want: true },
    { name: 'query absent', match: [{ queryName: 'beta', queryValue: { exact: '1' } }], req: { query: '' }, want: false },
    { name: 'query prefix', match: [{ queryName: 'v', queryValue: { prefix: '2.' } }], req: { query: 'v=2.14' }, want: true },
    { name: 'query regex on the decoded value', match: [{ queryName: 'q', queryValue: { regex: '^a b$' } }], req: { query: 'q=a%20b' }, want: true },
    { name: 'path prefix: the segment itself', match: [{ pathPrefix: '/api' }], req: { path: '/api' }, want: true },
    { name: 'path prefix: below the segment', match: [{ pathPrefix: '/api' }], req: { path: '/api/users' }, want: true },
    { name: 'path prefix: a longer segment is another path', match: [{ pathPrefix: '/api' }], req: { path: '/apix' }, want: false },
    { name: 'path prefix: a trailing slash means the same', match: [{ pathPrefix: '/api/' }], req: { path: '/api' }, want: true },
    { name: 'path prefix: / is every path', match: [{ pathPrefix: '/' }], req: { path: '/anything' }, want: true },
    { name: 'method in the list', match: [{ method: ['GET', 'HEAD'] }], req: { method: 'HEAD' }, want: true },
    { name: 'method not in the list', match: [{ method: ['GET', 'HEAD'] }], req: { method: 'POST' }, want: false },
    { name: 'method in the config is upper-cased', match: [{ method: ['post'] }], req: { method: 'POST' }, want: true },
    { name: 'AND within a condition: both hold', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' }, method: ['GET'] }], req: { method: 'GET', headers: { 'x-env': 'beta' } }, want: true },
    { name: 'AND within a condition: one fails', match: [{ headerName: 'x-env', headerValue: { exact: 'beta' }, method: ['GET'] }], req: { method: 'POST', headers: { 'x-env': 'beta' } }, want: false },
    { name: 'AND across conditions: both hold', match: [{ headerName: 'x-a', headerValue: { exact: '1' } }, { headerName: 'x-b', headerValue: { exact: '2' } }], req: { headers: { 'x-a': '1', 'x-b': '2' } }, want: true },
    { name: 'AND across conditions: one fails', match: [{ headerName: 'x-a', headerValue: { exact: '1' } }, { headerName: 'x-b', headerValue: { exact: '2' } }], req: { headers: { 'x-a': '1' } }, want: false },
    { name: 'no condition matches every request', match: [], req: { method: 'DELETE', path: '/x' }, want: true },
    { name: 'an empty condition matches every request', match: [{}], req: {}, want: true },
  ]
  for (const r of rows) test(r.name, () => assert.equal(matches(r.match, r.req), r.want))
})

describe('match cost', () => {
  test('cheap checks run first: a failed method means the header and query are never read', () => {
    const m = compileMatch([{ headerName: 'x-a', headerValue: { regex: '^a' } }, { queryName: 'q' }, { method: ['POST'] }], LIMITS)
    assert.equal(m.test(untouchable('GET')), false)
  })

  test('the query is read only when a query condition is reached', () => {
    const reads: Reads = { headers: [], query: 0 }
    const m = compileMatch([{ headerName: 'x-a', headerValue: { exact: '1' } }, { queryName: 'q' }], LIMITS)
    assert.equal(m.test(facts({ query: 'q' }, reads)), false)
    assert.equal(reads.query, 0)
    assert.equal(m.test(facts({ query: 'q', headers: { 'x-a': '1' } }, reads)), true)
    assert.equal(reads.query, 1)
  })

  test('a regex check runs after the plain header checks of the same rule', () => {
    const reads: Reads = { headers: [], query: 0 }
    const m = compileMatch([{ headerName: 'x-re', headerValue: { regex: 'x' } }, { headerName: 'x-plain', headerValue: { exact: '1' } }], LIMITS)
    m.test(facts({}, reads))
    assert.deepEqual(reads.headers, ['x-plain'])
  })
})

describe('regex input cap', () => {
  const MB = 1 << 20

  test('a 1 MB header against ^(a+)+$ is decided on its first regexInputChars characters', () => {
    // Untruncated, "a...a!" does not match and backtracks exponentially; the regex sees only
    // 1024 a's, which match at once. The result itself shows the truncation happened.
    const m = compileMatch([{ headerName: 'x-evil', headerValue: { regex: '^(a+)+$' } }], LIMITS)
    assert.equal(m.test(facts({ headers: { 'x-evil': 'a'.repeat(MB) + '!' } })), true)
  })

  test('the regex sees exactly regexInputChars characters', () => {
    const limits = { regexInputChars: 10 }
    const value = 'a'.repeat(50)
    assert.equal(matches([{ headerName: 'x', headerValue: { regex: '^a{10}$' } }], { headers: { x: value } }, limits), true)
    assert.equal(matches([{ headerName: 'x', headerValue: { regex: 'a{11}' } }], { headers: { x: value } }, limits), false)
  })

  test('query values are capped as well', () => {
    assert.equal(matches([{ queryName: 'q', queryValue: { regex: '^a{3}$' } }], { query: 'q=aaaaaa' }, { regexInputChars: 3 }), true)
  })

  test('exact and prefix compare the whole value', () => {
    const value = 'a'.repeat(20)
    assert.equal(matches([{ headerName: 'x', headerValue: { exact: 'a'.repeat(10) } }], { headers: { x: value } }, { regexInputChars: 10 }), false)
  })
})

describe('problems', () => {
  test('a regex that does not compile is a problem at its path, and its condition never matches', () => {
    const m = compileMatch([{ headerName: 'x-a', headerValue: { regex: '(' } }], LIMITS, 'routes[2].match')
    assert.deepEqual(m.problems, [{ path: 'routes[2].match[0].headerValue.regex', message: '"(" is not a valid regular expression: Unterminated group' }])
    assert.equal(m.test(facts({ headers: { 'x-a': '(' } })), false)
  })

  test('query regex problems are located too', () => {
    const m = compileMatch([{ pathPrefix: '/' }, { queryName: 'q', queryValue: { regex: 'a**' } }], LIMITS, 'mirror.match')
    assert.deepEqual(m.problems, [{ path: 'mirror.match[1].queryValue.regex', message: '"a**" is not a valid regular expression: Nothing to repeat' }])
  })

  test('regexProblem: undefined for a pattern that compiles, the same words otherwise', () => {
    assert.equal(regexProblem('^v[0-9]+$'), undefined)
    assert.equal(regexProblem('[b-a]'), '"[b-a]" is not a valid regular expression: Range out of order in character class')
  })

  test('a value without a name, and an empty method list, are problems that never match', () => {
    const m = compileMatch([{ headerValue: { exact: '1' } }, { queryValue: { exact: '1' } }, { method: [] }], LIMITS)
    assert.deepEqual(m.problems.map((p) => p.path), ['match[0].headerValue', 'match[1].queryValue', 'match[2].method'])
    assert.equal(m.test(facts()), false)
  })
})

describe('queryParam and decodeComponent', () => {
  const rows: Array<[query: string, name: string, want: string | undefined]> = [
    ['a=1', 'a', '1'],
    ['a=1&b=2', 'b', '2'],
    ['a=1&&b=2&', 'b', '2'],
    ['a=x=y', 'a', 'x=y'],
    ['=1&a=2', 'a', '2'],
    ['a', 'a', ''],
    ['a=', 'a', ''],
    ['b=1', 'a', undefined],
    ['', 'a', undefined],
    ['a+b=1', 'a b', '1'],
    ['q=%E2%82%AC', 'q', '€'],
    ['q=%', 'q', '%'],
    ['q=%C3', 'q', '\ufffd'],
  ]
  for (const [query, name, want] of rows) test(`${JSON.stringify(query)} [${name}] -> ${JSON.stringify(want)}`, () => assert.equal(queryParam(query, name), want))

  test('decodeComponent agrees with URLSearchParams', () => {
    for (const s of ['plain', 'a+b', '%41%42', '%zz', '%E2%82', '100%', 'a%2Bb+c', '%F0%9F%98%80']) {
      assert.equal(decodeComponent(s), new URLSearchParams(`x=${s}`).get('x'), s)
    }
  })
})
