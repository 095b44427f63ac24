import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createLogger, type Logger } from '../../src/log.js'
import { seeded } from '../support/prng.js'
import { backend, canaryRouted, countVersions, rampWith } from '../support/ramp.js'

function capture(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => { text += c.toString() })
  return { log: createLogger({ level: 'info', format: 'json' }, out), lines: () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const accessLines = (c: ReturnType<typeof capture>): Array<Record<string, unknown>> => c.lines().filter((l) => l.msg === 'access')

const cases = [
  { access: 'false', n: 200, check: (count: number) => assert.equal(count, 0) },
  { access: 'true', n: 200, check: (count: number) => assert.equal(count, 200) },
  // 10 % of 2000: binomial sd is 13.4, so 4 sd either side is 146..254.
  { access: '0.1', n: 2000, check: (count: number) => assert.ok(count >= 146 && count <= 254, `${count} lines`) },
] as const

for (const c of cases) {
  test(`log.access: ${c.access} logs ${c.access === 'false' ? 'no' : c.access === 'true' ? 'every' : 'a sampled'} request`, async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const logs = capture()
    const ramp = await rampWith(t, `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\nlog: { access: ${c.access} }\n`, { log: logs.log, random: seeded(3) })
    await countVersions(ramp.urls.main, c.n)
    await new Promise((r) => setImmediate(r))
    c.check(accessLines(logs).length)
    if (c.access === 'true') {
      const line = accessLines(logs)[0]?.access as Record<string, unknown>
      assert.deepEqual(Object.keys(line).sort(), ['backend', 'completed', 'listener', 'method', 'ms', 'reason', 'status', 'url', 'version'])
      assert.equal(line.version, 'v1')
      assert.equal(line.status, 200)
    }
  })
}

test('rollout-relevant events are logged, one line each: start, readiness, weight change, listening', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const logs = capture()
  const ramp = await rampWith(t, `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\ncanary: { name: v2, backends: ["${v2.url}"] }\nreadiness: { intervalMs: 20 }\nstrategy:\n  canary:\n    steps: [ { setWeight: 20 }, { pause: {} } ]\n`, { log: logs.log })
  await canaryRouted(ramp)
  await ramp.driver.dispatch({ type: 'setWeight', weightBp: 3000, actor: 'tester' })
  const events = logs.lines().flatMap((l) => (l.rollout === undefined ? [] : [(l.rollout as { event: string }).event]))
  assert.deepEqual(events, ['start', 'ready', 'setWeight'])
  assert.ok(logs.lines().some((l) => typeof l.msg === 'string' && l.msg.startsWith('ramp listening')))
})
