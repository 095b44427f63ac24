import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compareTable, ownerOf, summarizeProfile, type CpuProfile } from '../../src/bench/profile.js'

test('ownerOf: who a frame belongs to', () => {
  const rows: Array<[string, string, string]> = [
    ['file:///srv/ramp/dist/proxy/listener.js', 'finish', 'ramp'],
    ['file:///srv/ramp/node_modules/fastify/lib/route.js', 'x', 'fastify'],
    ['file:///srv/ramp/node_modules/@fastify/reply-from/index.js', 'x', '@fastify/reply-from'],
    ['file:///srv/ramp/node_modules/fastify/node_modules/find-my-way/index.js', 'x', 'find-my-way'],
    ['node:internal/http', 'x', 'node'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writev', '(native)'],
    ['wasm://wasm/00034eea', 'wasm-function[20]', '(wasm)'],
    ['evalmachine.<anonymous>', 'gc', '(eval)'],
  ]
  for (const [url, functionName, owner] of rows) assert.equal(ownerOf({ url, functionName }), owner, url || functionName)
})

// root -> a (ramp) -> b (fastify) -> c (ramp); root -> gc; root -> idle
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'a', url: 'file:///r/dist/a.js' }, children: [3] },
    { id: 3, callFrame: { functionName: 'b', url: 'file:///r/node_modules/fastify/b.js' }, children: [4] },
    { id: 4, callFrame: { functionName: 'c', url: 'file:///r/dist/c.js' } },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '' } },
    { id: 6, callFrame: { functionName: '(idle)', url: '' } },
  ],
  startTime: 0,
  // One sample a millisecond: at 1 ms, 2 ms, ... 8 ms.
  samples: [2, 3, 3, 4, 5, 6, 6, 6],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
}

test('summarizeProfile: self shares add up over busy time, inclusive counts each owner once per stack, idle left out', () => {
  const s = summarizeProfile(profile)
  assert.equal(s.busyMs, 5)
  const by = Object.fromEntries(s.shares.map((x) => [x.owner, x]))
  assert.deepEqual(Object.keys(by).sort(), ['(garbage collector)', 'fastify', 'ramp'])
  assert.equal(by.ramp?.self, 2 / 5)
  assert.equal(by.fastify?.self, 2 / 5)
  assert.equal(by['(garbage collector)']?.self, 1 / 5)
  // ramp is on the stack of samples at a, b (under a) and c: 4 of 5; counted once for c.
  assert.equal(by.ramp?.inclusive, 4 / 5)
  assert.equal(by.fastify?.inclusive, 3 / 5)
  assert.ok(Math.abs(s.shares.reduce((a, x) => a + x.self, 0) - 1) < 1e-12)
})

test('summarizeProfile with load windows counts only the samples taken under load', () => {
  const s = summarizeProfile(profile, [{ fromUs: 1500, toUs: 4500 }])
  // The samples at 2, 3 and 4 ms: b (fastify) twice, c (ramp) once.
  assert.equal(s.busyMs, 3)
  assert.deepEqual(s.shares.map((x) => [x.owner, x.self]), [['fastify', 2 / 3], ['ramp', 1 / 3]])
})

test('compareTable: CPU microseconds per request by owner, one column per process, small owners summed', () => {
  const s = summarizeProfile(profile)
  // 5 ms busy over 1000 requests: 5 us a request, 2 of them in ramp's code.
  const half = { ...s, shares: s.shares.map((x) => ({ ...x })) }
  const table = compareTable([{ name: 'a', requests: 1000, summary: s }, { name: 'b', requests: 2000, summary: half }])
  assert.deepEqual(table.head, ['owner', 'a (1,000 requests)', 'b (2,000 requests)'])
  assert.deepEqual(table.rows, [
    ['ramp', '2.0', '1.0'],
    ['fastify', '2.0', '1.0'],
    ['(garbage collector)', '1.0', '0.5'],
    ['all', '5.0', '2.5'],
  ])
  // Over 10 000 requests every owner is under 1 us a request: one row holds them.
  assert.deepEqual(compareTable([{ name: 'c', requests: 10_000, summary: s }]).rows, [['3 others', '0.5'], ['all', '0.5']])
})
