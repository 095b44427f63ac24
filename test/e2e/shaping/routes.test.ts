import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { seedFor, world } from '../../support/world/world.js'

// Weight 0: whatever reaches v2 got there by a route. The last two rules overlap on
// purpose: `pin-stable` is listed first, so x-order: 1 must stay on v1 although `any-order`
// (to the canary) matches it too.
const routes = `
routes:
  - name: beta
    match: [{ headerName: X-Beta, headerValue: { exact: "yes" } }]
    version: v2
  - name: team
    match: [{ headerName: x-team, headerValue: { prefix: qa- } }]
  - name: bot
    match: [{ headerName: user-agent, headerValue: { regex: "^canary-bot/[0-9]+$" } }]
  - name: variant
    match: [{ queryName: variant, queryValue: { exact: new } }]
  - name: api-writes
    match: [{ pathPrefix: /api, method: [POST, PUT] }]
  - name: both
    match: [{ headerName: x-a, headerValue: { exact: "1" } }, { path: { prefix: /both } }]
  - name: pin-stable
    match: [{ headerName: x-order, headerValue: { exact: "1" } }]
    version: stable
  - name: any-order
    match: [{ headers: { x-order: { prefix: "" } } }]
    version: canary
`

interface Case {
  what: string
  method?: 'GET' | 'POST'
  path?: string
  headers?: Record<string, string>
  /** The route that must decide, or null for the weight (so v1). */
  route: string | null
  version: 'v1' | 'v2'
}

const cases: Case[] = [
  { what: 'exact header', headers: { 'x-beta': 'yes' }, route: 'beta', version: 'v2' },
  { what: 'exact header is case-sensitive in its value', headers: { 'x-beta': 'Yes' }, route: null, version: 'v1' },
  { what: 'header prefix', headers: { 'x-team': 'qa-berlin' }, route: 'team', version: 'v2' },
  { what: 'header prefix, not matching', headers: { 'x-team': 'dev-qa-' }, route: null, version: 'v1' },
  { what: 'header regex', headers: { 'user-agent': 'canary-bot/42' }, route: 'bot', version: 'v2' },
  { what: 'header regex anchored by the pattern', headers: { 'user-agent': 'canary-bot/42 (like curl)' }, route: null, version: 'v1' },
  { what: 'query parameter', path: '/search?q=x&variant=new', route: 'variant', version: 'v2' },
  { what: 'query parameter, another value', path: '/search?variant=old', route: null, version: 'v1' },
  { what: 'query parameter, percent-encoded', path: '/search?variant=n%65w', route: 'variant', version: 'v2' },
  { what: 'query parameter, its first occurrence', path: '/search?variant=old&variant=new', route: null, version: 'v1' },
  { what: 'path prefix ignores the query', method: 'POST', path: '/api?dry=1', route: 'api-writes', version: 'v2' },
  { what: 'path prefix and method together', method: 'POST', path: '/api/orders', route: 'api-writes', version: 'v2' },
  { what: 'path prefix with the wrong method', method: 'GET', path: '/api/orders', route: null, version: 'v1' },
  { what: 'path prefix is a whole segment', method: 'POST', path: '/apix', route: null, version: 'v1' },
  { what: 'two conditions, both holding', path: '/both/x', headers: { 'x-a': '1' }, route: 'both', version: 'v2' },
  { what: 'two conditions, only the header', path: '/other', headers: { 'x-a': '1' }, route: null, version: 'v1' },
  { what: 'two conditions, only the path', path: '/both', route: null, version: 'v1' },
  { what: 'first match wins over a later route', headers: { 'x-order': '1' }, route: 'pin-stable', version: 'v1' },
  { what: 'the later route when the first does not match', headers: { 'x-order': '2' }, route: 'any-order', version: 'v2' },
]

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('static routes send matching requests to their version, first match wins, counted as route:NAME', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: `log: { access: ${workers > 1} }\n${routes}` }), workers, ...seedFor(workers, 3) })
      await w.routed()
      const expected = new Map<string, number>()
      for (const c of cases) {
        for (let i = 0; i < 5; i++) {
          // A connection each, so that with workers every worker routes some of each case.
          const r = await w.send(c.path ?? '/', { method: c.method ?? 'GET', headers: { ...c.headers, ...(workers > 1 ? { connection: 'close' } : {}) }, ...(c.method === 'POST' ? { body: '{}' } : {}) })
          assert.equal(r.status, 200, c.what)
          assert.equal(r.version, c.version, c.what)
        }
        const reason = c.route === null ? 'weight' : `route:${c.route}`
        const key = `${reason}|${c.version}`
        expected.set(key, (expected.get(key) ?? 0) + 5)
      }
      for (const [key, n] of expected) {
        const [reason, version] = key.split('|') as [string, string]
        assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason, version }, n), n, `reason="${reason}" version="${version}"`)
      }
      assert.equal(await w.metric('ramp_routing_decisions_total', { reason: 'route:any-order', version: 'v2' }), 5, 'x-order: 1 never counted under the later route')
      if (workers > 1) assert.equal((await w.cluster.workersThatServed(cases.length * 5)).size, workers, 'every worker routed some of them')
    })

    test('an override beats a route, and a route beats the weight at 100', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 100, more: routes }), workers, ...seedFor(workers, 4) })
      await w.routed()
      assert.equal((await w.send('/', { headers: { 'x-order': '1' } })).version, 'v1', 'a route to stable at weight 100')
      assert.equal((await w.send('/', { headers: { 'x-beta': 'yes', 'x-ramp-version': 'never' } })).version, 'v1', 'the override first')
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'header', version: 'v1' }, 1), 1)
    })

    test('a route to the canary is skipped while no canary is in the table', async (t) => {
      const [v1] = await backends(t, 'v1')
      const w = await world(t, { config: release({ v1: v1.url, more: 'routes:\n  - { name: any-order, match: [{ headers: { x-order: { prefix: "" } } }], version: canary }' }), workers })
      const r = await w.send('/', { headers: { 'x-order': '2' } })
      assert.equal(r.status, 200)
      assert.equal(r.version, 'v1')
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'weight', version: 'v1' }, 1), 1)
    })

    test('a regex sees at most limits.regexInputChars characters of a value', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: 'limits: { regexInputChars: 8 }\nroutes: [{ name: tail, match: [{ headerName: x-tag, headerValue: { regex: "canary$" } }] }]' }), workers, ...seedFor(workers, 5) })
      await w.routed()
      assert.equal((await w.send('/', { headers: { 'x-tag': 'a-canary' } })).version, 'v2', 'eight characters are seen whole')
      assert.equal((await w.send('/', { headers: { 'x-tag': 'xx-canary' } })).version, 'v1', 'the ninth is cut off, so $ no longer follows "canary"')
    })
  })
}
