import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Counter, Registry } from 'prom-client'
import { HotCounters } from '../../src/metrics/hot-counter.js'
import { Metrics } from '../../src/metrics/registry.js'

function hotCounter(): { registry: Registry; counter: Counter; hot: HotCounters } {
  const registry = new Registry()
  const hot = new HotCounters()
  const counter = hot.of(new Counter({ name: 'x_total', help: 'x', labelNames: ['k'], registers: [registry], collect: hot.collect }))
  return { registry, counter, hot }
}

test('a hot series\' increments reach the exported counter at each read, once', async () => {
  const { registry, counter, hot } = hotCounter()
  const a = hot.series({ k: 'a' })
  const b = hot.series({ k: 'b' })
  for (let i = 0; i < 3; i++) a.inc()
  b.inc()
  assert.match(await registry.metrics(), /x_total\{k="a"\} 3\nx_total\{k="b"\} 1/)
  // Read again with nothing new: the same totals, not doubled.
  assert.match(await registry.metrics(), /x_total\{k="a"\} 3\n/)
  a.inc()
  const values = (await counter.get()).values.map((v) => [v.labels.k, v.value])
  assert.deepEqual(values, [['a', 4], ['b', 1]])
})

test('a series never incremented is not exported, as prom-client does for a label set never used', async () => {
  const { registry, hot } = hotCounter()
  hot.series({ k: 'idle' })
  assert.doesNotMatch(await registry.metrics(), /k="idle"/)
})

test('two hot series with the same labels add up into one exported series', async () => {
  const { registry, hot } = hotCounter()
  hot.series({ k: 'a' }).inc()
  hot.series({ k: 'a' }).inc()
  assert.match(await registry.metrics(), /x_total\{k="a"\} 2\n/)
})

test('ramp_requests_total and ramp_routing_decisions_total count through their hot series', async () => {
  const m = new Metrics({ processMetrics: false })
  m.requestSeries('main', 'v2').byClass[1]!.inc()
  m.decisionSeries('weight', 'v2').inc()
  const text = await m.registry.metrics()
  assert.match(text, /ramp_requests_total\{listener="main",version="v2",code="2xx"\} 1\n/)
  assert.match(text, /ramp_routing_decisions_total\{reason="weight",version="v2"\} 1\n/)
})
