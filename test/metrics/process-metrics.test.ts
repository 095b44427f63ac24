import assert from 'node:assert/strict'
import { test } from 'node:test'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import { EventLoopDelay } from '../../src/metrics/event-loop-delay.js'
import { exposition } from '../../src/metrics/exposition.js'
import { registerProcessMetrics } from '../../src/metrics/process-metrics.js'

/** Every `# HELP` and `# TYPE` line, in order: the names, help texts and types a scraper sees. */
const headers = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('# '))
const valueOf = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 'NaN')

test('ramp\'s process metrics export what prom-client\'s default metrics export, less the *_total gauges promtool rejects', async () => {
  const theirs = new Registry()
  collectDefaultMetrics({ register: theirs, prefix: 'p_' })
  const ours = new Registry()
  registerProcessMetrics(ours, 'p_')
  const expected = headers(await theirs.metrics()).filter((l) => !/nodejs_active_(handles|requests|resources)_total /.test(l))
  assert.deepEqual(headers(await ours.metrics()), expected)
})

test('the process figures are read: CPU, memory from /proc, descriptors, heap, start time', async () => {
  const registry = new Registry()
  registerProcessMetrics(registry, 'p_')
  const text = await registry.metrics()
  assert.ok(valueOf(text, 'p_process_resident_memory_bytes') > 10 * 2 ** 20)
  assert.ok(valueOf(text, 'p_process_heap_bytes') > 0)
  assert.ok(valueOf(text, 'p_process_open_fds') > 2)
  assert.ok(valueOf(text, 'p_process_max_fds') >= valueOf(text, 'p_process_open_fds'))
  assert.ok(valueOf(text, 'p_nodejs_heap_size_used_bytes') > 0)
  assert.ok(Math.abs(valueOf(text, 'p_process_start_time_seconds') - (Date.now() / 1000 - process.uptime())) < 2)
  assert.match(text, /^p_nodejs_version_info\{version="v\d+\.\d+\.\d+",major="\d+",minor="\d+",patch="\d+"\} 1$/m)
})

test('the event-loop delay: intervals between the timer\'s ticks since the last read, then started over', async () => {
  const delay = new EventLoopDelay(5)
  await new Promise((r) => setTimeout(r, 60))
  const r = delay.read()
  // The typical interval is the timer's period (one can be shorter: libuv times from the loop's cached clock).
  assert.ok(r.min > 0 && r.p50 >= 0.004, JSON.stringify(r))
  // Percentiles are a bucket's highest value: within the histogram's 3 significant figures of what was recorded.
  assert.ok(r.min <= r.p50 * 1.002 && r.p50 <= r.p90 && r.p90 <= r.p99 && r.p99 <= r.max * 1.002, JSON.stringify(r))
  assert.ok(r.min <= r.mean && r.mean <= r.max, JSON.stringify(r))
  assert.ok(r.stddev >= 0 && r.stddev <= r.max - r.min, JSON.stringify(r))
  // Read again at once: no tick since, so nothing to report.
  assert.ok(Number.isNaN(delay.read().mean))
})

test('the sliced exposition is byte for byte the registry\'s own', async () => {
  const registry = new Registry()
  registerProcessMetrics(registry, 'p_')
  const c = new Counter({ name: 'c_total', help: 'a "counter"\\ with\nescapes', labelNames: ['k'], registers: [registry] })
  const h = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['k'], buckets: [0.1, 1], registers: [registry] })
  for (let i = 0; i < 50; i++) {
    c.inc({ k: `v${i}` })
    h.observe({ k: `v${i % 5}` }, i / 10)
  }
  // Two reads differ in the process figures, which move (CPU, event loop, the resources in use): compare their headers only.
  const strip = (t: string): string => t.replace(/^p_.*\n/gm, '')
  assert.equal(strip(await exposition(registry)), strip(await registry.metrics()))
  const only = new Registry()
  new Counter({ name: 'only_total', help: 'o', registers: [only] }).inc(2)
  assert.equal(await exposition(only), await only.metrics())
})
