import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { CompiledShaping } from '../../src/routing/compile.js'
import { NO_SHAPING } from '../../src/routing/compile.js'
import { decide, exactSplitFor, type DecideTable } from '../../src/routing/decide.js'
import { bucketOf } from '../../src/routing/sticky.js'
import { ExactSplit } from '../../src/routing/swrr.js'
import type { RouteSpec, RoutingReason } from '../../src/routing/types.js'
import { facts, shaping, untouchable, type FactsInit, type Reads } from './facts.js'

type V = { name: string }
const V1: V = { name: 'v1' }
const V2: V = { name: 'v2' }
const ROLLOUT: DecideTable<V> = { stable: V1, canary: V2, weightBp: 2000 }
const NO_CANARY: DecideTable<V> = { stable: V1, canary: null, weightBp: 0 }

/** Draws that put the weighted pick on one side at weight 20 (2000 bp). */
const DRAW_CANARY = (): number => 0.1
const DRAW_STABLE = (): number => 0.9

const beta: RouteSpec = { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: '1' } }], target: { role: 'canary' } }
const ops: RouteSpec = { name: 'ops', match: [{ pathPrefix: '/ops' }], target: { role: 'stable' } }
const toV3: RouteSpec = { name: 'v3-users', match: [{ headerName: 'x-beta' }], target: { version: 'v3' } }
const toV1: RouteSpec = { name: 'pin-v1', match: [{ headerName: 'x-beta' }], target: { version: 'v1' } }

// Two keys on either side of weight 20: a canary key (bucket < 2000) and a stable key.
const CANARY_KEY = findKey((b) => b < 2000)
const STABLE_KEY = findKey((b) => b >= 2000)
function findKey(ok: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) if (ok(bucketOf(`k${i}`))) return `k${i}`
}

interface Row {
  name: string
  table?: DecideTable<V>
  shaping?: CompiledShaping
  listener?: 'main' | 'preview'
  req: FactsInit
  random?: () => number
  exact?: ExactSplit
  want: { version: V; reason: RoutingReason; ignoredOverride?: boolean; assignBucket?: number | null }
}

const byHeader = shaping({ stickiness: { header: 'x-user' } })
const byCookie = shaping({ stickiness: { cookie: 'ramp-bucket', maxAgeSeconds: 3600, secure: false } })
const byAddress = shaping({ stickiness: { clientAddress: true } })
const withRoutes = (routes: RouteSpec[], over: Parameters<typeof shaping>[0] = {}): CompiledShaping => shaping({ routes, ...over })

const rows: Row[] = [
  // 1. preview
  { name: 'preview beats the header: the canary even when the header says never', listener: 'preview', req: { headers: { 'x-ramp-version': 'never' } }, want: { version: V2, reason: 'preview' } },
  { name: 'preview with no canary in the table: stable', listener: 'preview', table: NO_CANARY, req: {}, want: { version: V1, reason: 'preview' } },
  { name: 'preview beats routes and stickiness', listener: 'preview', shaping: withRoutes([ops], { stickiness: { header: 'x-user' } }), req: { path: '/ops', headers: { 'x-user': STABLE_KEY } }, want: { version: V2, reason: 'preview' } },
  // 2. override header
  { name: 'header beats cookie', req: { headers: { 'x-ramp-version': 'v1', cookie: 'ramp-version=v2' } }, want: { version: V1, reason: 'header' } },
  { name: 'header: the canary by name', req: { headers: { 'x-ramp-version': 'v2' } }, random: DRAW_STABLE, want: { version: V2, reason: 'header' } },
  { name: 'header: always is the canary', req: { headers: { 'x-ramp-version': 'always' } }, random: DRAW_STABLE, want: { version: V2, reason: 'header' } },
  { name: 'header: never is stable, even at weight 100', table: { ...ROLLOUT, weightBp: 10_000 }, req: { headers: { 'x-ramp-version': 'never' } }, want: { version: V1, reason: 'header' } },
  { name: 'header: never with no canary is stable, by the header', table: NO_CANARY, req: { headers: { 'x-ramp-version': 'never' } }, want: { version: V1, reason: 'header' } },
  { name: 'header: the header name is case-insensitive in the config', shaping: shaping({ overrideHeader: 'X-Ramp-Version' }), req: { headers: { 'x-ramp-version': 'always' } }, random: DRAW_STABLE, want: { version: V2, reason: 'header' } },
  { name: 'header naming an unknown version falls through to the cookie and is counted', req: { headers: { 'x-ramp-version': 'v3', cookie: 'ramp-version=always' } }, random: DRAW_STABLE, want: { version: V2, reason: 'cookie', ignoredOverride: true } },
  { name: 'header naming an unknown version falls through to the weight and is counted', req: { headers: { 'x-ramp-version': 'v3' } }, random: DRAW_STABLE, want: { version: V1, reason: 'weight', ignoredOverride: true } },
  { name: 'header always with no canary is ignored and counted; stable by weight', table: NO_CANARY, req: { headers: { 'x-ramp-version': 'always' } }, want: { version: V1, reason: 'weight', ignoredOverride: true } },
  { name: 'header naming the aborted canary is ignored', table: NO_CANARY, req: { headers: { 'x-ramp-version': 'v2' } }, want: { version: V1, reason: 'weight', ignoredOverride: true } },
  { name: 'header override turned off: the header is not read, nothing is counted', shaping: shaping({ overrideHeader: null }), req: { headers: { 'x-ramp-version': 'always' } }, random: DRAW_STABLE, want: { version: V1, reason: 'weight' } },
  { name: 'an empty header is no override and is not counted', req: { headers: { 'x-ramp-version': '' } }, random: DRAW_STABLE, want: { version: V1, reason: 'weight' } },
  { name: 'header beats a route', shaping: withRoutes([beta]), req: { headers: { 'x-ramp-version': 'never', 'x-beta': '1' } }, want: { version: V1, reason: 'header' } },
  // 3. override cookie
  { name: 'cookie: the canary by name', req: { headers: { cookie: 'a=1; ramp-version=v2' } }, random: DRAW_STABLE, want: { version: V2, reason: 'cookie' } },
  { name: 'cookie: never', req: { headers: { cookie: 'ramp-version=never' } }, random: DRAW_CANARY, want: { version: V1, reason: 'cookie' } },
  { name: 'cookie beats a route', shaping: withRoutes([beta]), req: { headers: { cookie: 'ramp-version=never', 'x-beta': '1' } }, want: { version: V1, reason: 'cookie' } },
  { name: 'cookie beats stickiness', shaping: shaping({ stickiness: { header: 'x-user' } }), req: { headers: { cookie: 'ramp-version=v2', 'x-user': STABLE_KEY } }, want: { version: V2, reason: 'cookie' } },
  { name: 'cookie naming an unknown version is ignored and counted', req: { headers: { cookie: 'ramp-version=v9' } }, random: DRAW_CANARY, want: { version: V2, reason: 'weight', ignoredOverride: true } },
  { name: 'header and cookie both ignored: counted once', req: { headers: { 'x-ramp-version': 'v3', cookie: 'ramp-version=v9' } }, random: DRAW_STABLE, want: { version: V1, reason: 'weight', ignoredOverride: true } },
  { name: 'cookie override turned off', shaping: shaping({ overrideCookie: null }), req: { headers: { cookie: 'ramp-version=always' } }, random: DRAW_STABLE, want: { version: V1, reason: 'weight' } },
  { name: 'an ignored header keeps its count when the cookie decides', req: { headers: { 'x-ramp-version': 'V2', cookie: 'ramp-version=never' } }, want: { version: V1, reason: 'cookie', ignoredOverride: true } },
  // 4. routes
  { name: 'route beats stickiness', shaping: withRoutes([beta], { stickiness: { header: 'x-user' } }), req: { headers: { 'x-beta': '1', 'x-user': STABLE_KEY } }, want: { version: V2, reason: 'route:beta' } },
  { name: 'route beats the weight', shaping: withRoutes([ops]), table: { ...ROLLOUT, weightBp: 10_000 }, req: { path: '/ops/health' }, want: { version: V1, reason: 'route:ops' } },
  { name: 'routes: OR across rules, the second matches', shaping: withRoutes([beta, ops]), req: { path: '/ops' }, want: { version: V1, reason: 'route:ops' } },
  { name: 'routes: first match wins', shaping: withRoutes([beta, ops]), req: { path: '/ops', headers: { 'x-beta': '1' } }, want: { version: V2, reason: 'route:beta' } },
  { name: 'route to a version not in the table is skipped, the next one applies', shaping: withRoutes([toV3, toV1]), req: { headers: { 'x-beta': '1' } }, want: { version: V1, reason: 'route:pin-v1' } },
  { name: 'route to the canary role with no canary in the table is skipped', table: NO_CANARY, shaping: withRoutes([beta]), req: { headers: { 'x-beta': '1' } }, want: { version: V1, reason: 'weight' } },
  { name: 'route to a version by name', shaping: withRoutes([{ ...toV3, target: { version: 'v2' } }]), req: { headers: { 'x-beta': '' } }, random: DRAW_STABLE, want: { version: V2, reason: 'route:v3-users' } },
  { name: 'no route matches: on to the weight', shaping: withRoutes([beta, ops]), req: { path: '/' }, random: DRAW_CANARY, want: { version: V2, reason: 'weight' } },
  { name: 'an ignored override is still counted when a route decides', shaping: withRoutes([ops]), req: { path: '/ops', headers: { 'x-ramp-version': 'v7' } }, want: { version: V1, reason: 'route:ops', ignoredOverride: true } },
  // 5. sticky
  { name: 'sticky beats the weight: a canary key with a stable draw', shaping: byHeader, req: { headers: { 'x-user': CANARY_KEY } }, random: DRAW_STABLE, want: { version: V2, reason: 'sticky' } },
  { name: 'sticky beats the weight: a stable key with a canary draw', shaping: byHeader, req: { headers: { 'x-user': STABLE_KEY } }, random: DRAW_CANARY, want: { version: V1, reason: 'sticky' } },
  { name: 'sticky beats an exact split', shaping: byHeader, req: { headers: { 'x-user': CANARY_KEY } }, exact: new ExactSplit(2000), want: { version: V2, reason: 'sticky' } },
  { name: 'sticky header absent: the weight decides, no cookie to set', shaping: byHeader, req: {}, random: DRAW_CANARY, want: { version: V2, reason: 'weight' } },
  { name: 'sticky by client address', shaping: byAddress, req: { clientAddress: CANARY_KEY }, random: DRAW_STABLE, want: { version: V2, reason: 'sticky' } },
  { name: 'sticky by client address, address unknown: the weight decides', shaping: byAddress, req: {}, random: DRAW_STABLE, want: { version: V1, reason: 'weight' } },
  { name: 'sticky cookie: the cookie is the bucket', shaping: byCookie, req: { headers: { cookie: 'ramp-bucket=1999' } }, random: DRAW_STABLE, want: { version: V2, reason: 'sticky' } },
  { name: 'sticky cookie: bucket 2000 is stable at weight 20', shaping: byCookie, req: { headers: { cookie: 'ramp-bucket=2000' } }, random: DRAW_CANARY, want: { version: V1, reason: 'sticky' } },
  { name: 'sticky cookie absent: a bucket is handed out and decides this request', shaping: byCookie, req: {}, random: () => 0.1999, want: { version: V2, reason: 'sticky', assignBucket: 1999 } },
  { name: 'sticky cookie empty: handed out again', shaping: byCookie, req: { headers: { cookie: 'ramp-bucket=' } }, random: () => 0.5, want: { version: V1, reason: 'sticky', assignBucket: 5000 } },
  { name: 'sticky cookie with a foreign value is hashed, not replaced', shaping: byCookie, req: { headers: { cookie: `ramp-bucket=${CANARY_KEY}` } }, random: DRAW_STABLE, want: { version: V2, reason: 'sticky' } },
  { name: 'sticky with no canary: stable, and buckets are still handed out', table: NO_CANARY, shaping: byCookie, req: {}, random: () => 0, want: { version: V1, reason: 'sticky', assignBucket: 0 } },
  { name: 'sticky at weight 0 (aborted): a canary key is back on stable', table: { ...ROLLOUT, weightBp: 0 }, shaping: byHeader, req: { headers: { 'x-user': CANARY_KEY } }, want: { version: V1, reason: 'sticky' } },
  // 6. weight
  { name: 'weight: a draw below the weight is the canary', req: {}, random: () => 0.1999, want: { version: V2, reason: 'weight' } },
  { name: 'weight: a draw at the weight is stable', req: {}, random: () => 0.2, want: { version: V1, reason: 'weight' } },
  { name: 'weight 0: stable without a draw', table: { ...ROLLOUT, weightBp: 0 }, req: {}, want: { version: V1, reason: 'weight' } },
  { name: 'weight 100: the canary without a draw', table: { ...ROLLOUT, weightBp: 10_000 }, req: {}, want: { version: V2, reason: 'weight' } },
  { name: 'no canary: stable without a draw', table: NO_CANARY, req: {}, want: { version: V1, reason: 'weight' } },
  { name: 'exact balance: the split decides, not the draw (its first pick at weight 20 is stable)', req: {}, exact: new ExactSplit(2000), random: DRAW_CANARY, want: { version: V1, reason: 'weight' } },
  { name: 'an exact split made for another weight is not used', req: {}, exact: new ExactSplit(10_000), random: DRAW_STABLE, want: { version: V1, reason: 'weight' } },
]

const throwingRandom = (): number => { throw new Error('random() was not expected') }

describe('the precedence', () => {
  for (const r of rows) {
    test(r.name, () => {
      const got = decide(r.table ?? ROLLOUT, r.shaping ?? shaping(), r.listener ?? 'main', facts(r.req), r.random ?? throwingRandom, r.exact ?? null)
      assert.deepEqual(got, { ignoredOverride: false, assignBucket: null, ...r.want })
    })
  }
})

describe('the hot path', () => {
  test('with no shaping, no header, query or address is read', () => {
    assert.deepEqual(decide(ROLLOUT, NO_SHAPING, 'main', untouchable(), DRAW_CANARY, null), { version: V2, reason: 'weight', ignoredOverride: false, assignBucket: null })
  })

  test('the preview listener reads nothing of the request', () => {
    assert.equal(decide(ROLLOUT, shaping({ routes: [beta], stickiness: { header: 'x-user' } }), 'preview', untouchable(), throwingRandom, null).version, V2)
  })

  test('a route whose target is not in the table is not even tested', () => {
    const reads: Reads = { headers: [], query: 0 }
    decide(NO_CANARY, shaping({ overrideHeader: null, overrideCookie: null, routes: [beta] }), 'main', facts({}, reads), throwingRandom, null)
    assert.deepEqual(reads.headers, [])
  })

  test('exact balance over decide: 1 in every 5 weighted requests at weight 20, sticky and routed ones aside', () => {
    const s = withRoutes([ops])
    const split = new ExactSplit(2000)
    const seq: string[] = []
    for (let i = 0; i < 20; i++) {
      // A routed request between every weighted one takes no pick from the split.
      decide(ROLLOUT, s, 'main', facts({ path: '/ops' }), throwingRandom, split)
      seq.push(decide(ROLLOUT, s, 'main', facts({ path: '/' }), throwingRandom, split).version.name)
    }
    assert.equal(seq.join(' '), Array.from({ length: 4 }, () => 'v1 v1 v2 v1 v1').join(' '))
  })
})

describe('exactSplitFor', () => {
  const exact = shaping({ balance: 'exact' })
  test('random balance: no split', () => assert.equal(exactSplitFor(shaping(), 2000, null), null))
  test('a fresh split for a new weight', () => assert.equal(exactSplitFor(exact, 2000, null)?.weightBp, 2000))
  test('the same split while the weight is unchanged', () => {
    const prev = new ExactSplit(2000)
    assert.equal(exactSplitFor(exact, 2000, prev), prev)
  })
  test('a new split when the weight moved', () => {
    const prev = new ExactSplit(2000)
    const next = exactSplitFor(exact, 5000, prev)
    assert.notEqual(next, prev)
    assert.equal(next?.weightBp, 5000)
  })
})
