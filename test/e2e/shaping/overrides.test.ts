import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Ramp } from '../../../src/ramp.js'
import { seeded } from '../../support/prng.js'
import { backend, canaryRouted, rampWith } from '../../support/ramp.js'
import { metric, send, split, tally } from './support.js'

async function splitAt(t: TestContext, weight: number, extra = ''): Promise<Ramp> {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, weight, extra), { random: seeded(weight + 1) })
  await canaryRouted(ramp)
  return ramp
}

/** Versions that served `n` requests sent with these headers, one at a time. */
async function served(ramp: Ramp, headers: Record<string, string>, n = 30): Promise<Record<string, number>> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await send(ramp.urls.main, '/', { headers })
    assert.equal(r.status, 200)
    out.push(r.version)
  }
  return tally(out)
}

// Weight 0 and 100 are where the weight alone would send every request one way, so an
// override that wins there cannot be the weight's doing.
const pins = [
  { value: 'v2', weight: 0, want: 'v2' },
  { value: 'always', weight: 0, want: 'v2' },
  { value: 'v1', weight: 100, want: 'v1' },
  { value: 'never', weight: 100, want: 'v1' },
] as const

for (const { value, weight, want } of pins) {
  test(`x-ramp-version: ${value} reaches ${want} at weight ${weight}, counted as reason="header"`, async (t) => {
    const ramp = await splitAt(t, weight)
    assert.deepEqual(await served(ramp, { 'x-ramp-version': value }), { [want]: 30 })
    assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'header', version: want }), 30)
    assert.equal(await metric(ramp, 'ramp_overrides_ignored_total'), 0)
  })

  test(`cookie ramp_version=${value} reaches ${want} at weight ${weight}, counted as reason="cookie"`, async (t) => {
    const ramp = await splitAt(t, weight)
    assert.deepEqual(await served(ramp, { cookie: `theme=dark; ramp_version=${value}` }), { [want]: 30 })
    assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'cookie', version: want }), 30)
  })
}

test('an override naming a version not in the table is routed by the weight and counted as ignored', async (t) => {
  const ramp = await splitAt(t, 100)
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'v9' }, 20), { v2: 20 }, 'weight 100 decides')
  assert.deepEqual(await served(ramp, { cookie: 'ramp_version=v9' }, 10), { v2: 10 })
  assert.equal(await metric(ramp, 'ramp_overrides_ignored_total'), 30)
  assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'weight', version: 'v2' }), 30)
  assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'header' }), 0)
})

test('always with no canary in the table is ignored and counted, not an error', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
`)
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'always' }, 10), { v1: 10 })
  assert.equal(await metric(ramp, 'ramp_overrides_ignored_total'), 10)
})

test('overrides: { header: false } turns the header off while the cookie still pins', async (t) => {
  const ramp = await splitAt(t, 0, 'overrides: { header: false }')
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'v2' }), { v1: 30 }, 'the header is an ordinary header now')
  assert.equal(await metric(ramp, 'ramp_overrides_ignored_total'), 0, 'a header that is off is not read, so not ignored either')
  assert.deepEqual(await served(ramp, { cookie: 'ramp_version=v2' }, 10), { v2: 10 })
})

test('overrides: { cookie: false } turns the cookie off while the header still pins', async (t) => {
  const ramp = await splitAt(t, 0, 'overrides: { cookie: false }')
  assert.deepEqual(await served(ramp, { cookie: 'ramp_version=v2' }, 10), { v1: 10 })
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'v2' }, 10), { v2: 10 })
})

test('overrides with other names: the header and cookie named in the config pin, the default ones do not', async (t) => {
  const ramp = await splitAt(t, 0, 'overrides: { header: X-Canary, cookie: canary }')
  assert.deepEqual(await served(ramp, { 'x-canary': 'always' }, 10), { v2: 10 }, 'header names are case-insensitive')
  assert.deepEqual(await served(ramp, { cookie: 'canary=v2' }, 10), { v2: 10 })
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'v2', cookie: 'ramp_version=v2' }, 10), { v1: 10 })
})

test('the header beats the cookie, both ways', async (t) => {
  const at100 = await splitAt(t, 100)
  assert.deepEqual(await served(at100, { 'x-ramp-version': 'v1', cookie: 'ramp_version=v2' }), { v1: 30 })
  assert.equal(await metric(at100, 'ramp_routing_decisions_total', { reason: 'header', version: 'v1' }), 30)
  const at0 = await splitAt(t, 0)
  assert.deepEqual(await served(at0, { 'x-ramp-version': 'always', cookie: 'ramp_version=never' }), { v2: 30 })
  assert.equal(await metric(at0, 'ramp_routing_decisions_total', { reason: 'cookie' }), 0)
})

test('an ignored header falls through to a valid cookie, and is still counted', async (t) => {
  const ramp = await splitAt(t, 0)
  assert.deepEqual(await served(ramp, { 'x-ramp-version': 'v9', cookie: 'ramp_version=v2' }, 10), { v2: 10 })
  assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'cookie', version: 'v2' }), 10)
  assert.equal(await metric(ramp, 'ramp_overrides_ignored_total'), 10)
})
