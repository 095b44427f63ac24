import assert from 'node:assert/strict'
import { test } from 'node:test'
import { launcherEnv } from '../../src/bench/kit.js'
import { ownerOf, profileTable, summarizeProfile, type CpuProfile } from '../../src/bench/profile.js'
import { bench, failedChecks } from './support.js'

test('ownerOf: who a frame belongs to', () => {
  const rows: Array<[string, string, string]> = [
    ['file:///srv/ramp/dist/proxy/listener.js', 'finish', 'ramp'],
    ['file:///srv/ramp/node_modules/fastify/lib/route.js', 'x', 'fastify'],
    ['file:///srv/ramp/node_modules/@fastify/reply-from/index.js', 'x', '@fastify/reply-from'],
    ['file:///srv/ramp/node_modules/fastify/node_modules/find-my-way/index.js', 'x', 'find-my-way'],
    ['node:internal/http', 'x', 'node'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'writev', '(native)'],
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
  const table = profileTable('ramp.cpuprofile', s)
  assert.deepEqual(table.rows[0], ['ramp', '40.0%', '80.0%'])
  assert.match(table.title, /5 ms busy/)
})

test('a profiled ramp gets the variables of bin/ramp.js\'s launcher line (node runs it directly, so the line does not)', () => {
  assert.deepEqual(launcherEnv(new URL('../../bin/ramp.js', import.meta.url).pathname), { MALLOC_MMAP_THRESHOLD_: '65536' })
})

test('bench --profile: ramp runs under --cpu-prof, and the report says where its CPU went', async (t) => {
  const { status, report, output } = await bench(t, 'soak', { requests: 3000, profile: true })
  assert.equal(status, 0, failedChecks(report))
  assert.equal(report.profiles.length, 1, 'one ramp process, one profile')
  const [p] = report.profiles
  assert.match(p!.file, /^profiles\/.+\.cpuprofile$/)
  const owners = p!.summary.shares.map((s) => s.owner)
  for (const o of ['ramp', 'fastify', '@fastify/reply-from', 'undici', 'node']) assert.ok(owners.includes(o), `${o} in ${owners.join(', ')}`)
  assert.ok(Math.abs(p!.summary.shares.reduce((a, s) => a + s.self, 0) - 1) < 1e-9, 'self shares add up to 1')
  assert.match(output, /where ramp's CPU went/)
})
