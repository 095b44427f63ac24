import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileShaping, NO_SHAPING } from '../../src/routing/compile.js'
import type { DecideTable } from '../../src/routing/decide.js'
import { mirrorTarget } from '../../src/routing/mirror.js'
import type { MirrorSpec, ShapingSpec } from '../../src/routing/types.js'
import { facts, LIMITS, shaping, untouchable } from './facts.js'

const spec = (over: Partial<ShapingSpec>): ShapingSpec => ({
  overrideHeader: 'X-Ramp-Version', overrideCookie: 'ramp-version', routes: [], stickiness: null, balance: 'random', mirror: null, limits: LIMITS, ...over,
})

describe('compileShaping', () => {
  test('header names are lower-cased once; cookie names are kept as written', () => {
    const { shaping: s } = compileShaping(spec({ overrideCookie: 'Ramp-Version', stickiness: { header: 'X-User' } }))
    assert.equal(s.overrideHeader, 'x-ramp-version')
    assert.equal(s.overrideCookie, 'Ramp-Version')
    assert.deepEqual(s.stickiness, { kind: 'header', header: 'x-user' })
  })

  test('problems carry their path in routes and mirror', () => {
    const { problems, shaping: s } = compileShaping(spec({
      routes: [
        { name: 'ok', match: [{ pathPrefix: '/a' }], target: { role: 'canary' } },
        { name: 'ok2', match: [], target: { role: 'canary' } },
        { name: 'bad', match: [{ headerName: 'x', headerValue: { regex: '(' } }], target: { role: 'canary' } },
      ],
      mirror: { name: 'm', percentage: 10, match: [{ queryName: 'q', queryValue: { regex: '*' } }] },
    }))
    assert.deepEqual(problems.map((p) => p.path), ['routes[2].match[0].headerValue.regex', 'mirror.match[0].queryValue.regex'])
    assert.deepEqual(s.routes.map((r) => r.reason), ['route:ok', 'route:ok2', 'route:bad'])
  })

  test('the mirror percentage becomes basis points', () => {
    assert.equal(compileShaping(spec({ mirror: { name: 'm', percentage: 12.5, match: [] } })).shaping.mirror?.percentageBp, 1250)
  })

  test('NO_SHAPING turns everything off', () => {
    assert.deepEqual({ ...NO_SHAPING, limits: undefined }, { overrideHeader: null, overrideCookie: null, routes: [], stickiness: null, balance: 'random', mirror: null, limits: undefined })
  })
})

describe('mirrorTarget', () => {
  type V = { name: string }
  const V1: V = { name: 'v1' }
  const V2: V = { name: 'v2' }
  const T: DecideTable<V> = { stable: V1, canary: V2, weightBp: 2000 }
  const m = (over: Partial<MirrorSpec> = {}) => shaping({ mirror: { name: 'copy', percentage: 50, match: [{ method: ['GET'] }], ...over } })
  const never = (): number => { throw new Error('no draw expected') }
  const rows: Array<{ name: string; args: Parameters<typeof mirrorTarget<V>>; want: V | null }> = [
    { name: 'a matching request stable serves, drawn in', args: [T, m(), 'main', V1, facts(), () => 0.49], want: V2 },
    { name: 'a matching request stable serves, drawn out', args: [T, m(), 'main', V1, facts(), () => 0.5], want: null },
    { name: 'not matching: no draw', args: [T, m(), 'main', V1, facts({ method: 'POST' }), never], want: null },
    { name: 'served by the canary already', args: [T, m(), 'main', V2, untouchable(), never], want: null },
    { name: 'no canary in the table', args: [{ ...T, canary: null }, m(), 'main', V1, untouchable(), never], want: null },
    { name: 'the preview listener does not mirror', args: [T, m(), 'preview', V1, untouchable(), never], want: null },
    { name: '100%: no draw', args: [T, m({ percentage: 100 }), 'main', V1, facts(), never], want: V2 },
    { name: '0%: nothing is read', args: [T, m({ percentage: 0 }), 'main', V1, untouchable(), never], want: null },
    { name: 'no mirror configured', args: [T, shaping(), 'main', V1, untouchable(), never], want: null },
    { name: 'an empty match copies every request', args: [T, m({ match: [] }), 'main', V1, facts({ method: 'DELETE' }), () => 0], want: V2 },
  ]
  for (const r of rows) test(r.name, () => assert.equal(mirrorTarget(...r.args), r.want))
})
