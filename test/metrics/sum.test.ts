import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Metrics } from '../../src/metrics/registry.js'
import { retire, sumMetrics, type MetricsJson } from '../../src/metrics/sum.js'

const json = async (m: Metrics): Promise<MetricsJson> => m.registry.getMetricsAsJSON()

function processes(): { primary: Metrics; a: Metrics; b: Metrics } {
  const primary = new Metrics()
  const a = new Metrics()
  const b = new Metrics()
  primary.weight.set(20)
  for (let i = 0; i < 7; i++) a.requestSeries('main', 'v1').byClass[1]?.inc()
  for (let i = 0; i < 5; i++) b.requestSeries('main', 'v1').byClass[1]?.inc()
  a.requestSeries('main', 'v1').duration.observe(0.004)
  b.requestSeries('main', 'v1').duration.observe(0.2)
  a.backendUp.set({ version: 'v1', backend: 'x' }, 1)
  b.backendUp.set({ version: 'v1', backend: 'x' }, 0)
  return { primary, a, b }
}

test('counters and histograms add up over the processes; the primary\'s gauges stay its own', async () => {
  const { primary, a, b } = processes()
  const text = await sumMetrics([{ worker: 'primary', metrics: await json(primary) }, { worker: '1', metrics: await json(a) }, { worker: '2', metrics: await json(b) }]).metrics()
  assert.match(text, /^ramp_requests_total\{listener="main",version="v1",code="2xx"\} 12$/m)
  assert.match(text, /^ramp_request_duration_seconds_count\{listener="main",version="v1"\} 2$/m)
  assert.match(text, /^ramp_canary_weight 20$/m)
  assert.match(text, /^ramp_backend_up\{version="v1",backend="x"\} 0$/m, 'a backend any worker holds out is out')
})

test('per-process series are kept apart by worker, never added', async () => {
  const { primary, a } = processes()
  const text = await sumMetrics([{ worker: 'primary', metrics: await json(primary) }, { worker: '1', metrics: await json(a) }]).metrics()
  for (const name of ['ramp_process_process_resident_memory_bytes', 'ramp_process_process_start_time_seconds']) {
    const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`))
    assert.deepEqual(lines.map((l) => /worker="([^"]+)"/.exec(l)?.[1]).sort(), ['1', 'primary'], name)
  }
})

test('what a dead worker leaves is its counters and histograms, so a total never goes backwards', async () => {
  const { primary, a, b } = processes()
  const left = retire(await json(b))
  assert.ok(left.every((m) => String(m.type) === 'counter' || String(m.type) === 'histogram'))
  assert.ok(!left.some((m) => m.name.startsWith('ramp_process_')))
  const text = await sumMetrics([{ worker: 'primary', metrics: await json(primary) }, { worker: '1', metrics: await json(a) }, { worker: 'retired', metrics: left }]).metrics()
  assert.match(text, /^ramp_requests_total\{listener="main",version="v1",code="2xx"\} 12$/m)
  assert.match(text, /^ramp_backend_up\{version="v1",backend="x"\} 1$/m, 'the dead worker\'s view of a backend is gone')
})
