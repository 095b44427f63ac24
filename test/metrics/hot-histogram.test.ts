import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Histogram, Registry } from 'prom-client'
import { HotHistogram } from '../../src/metrics/hot-histogram.js'

const bounds = [0.001, 0.01, 0.1, 1]
const draws = [0.0005, 0.001, 0.0011, 0.05, 0.1, 0.5, 3, 7, 0.02]

test('a hot histogram exports the text prom-client writes for a Histogram fed the same observations, boundaries included', async () => {
  const hotRegistry = new Registry()
  const hot = new HotHistogram('x_seconds', 'x', bounds, hotRegistry)
  const refRegistry = new Registry()
  const ref = new Histogram({ name: 'x_seconds', help: 'x', labelNames: ['listener', 'version'], buckets: bounds, registers: [refRegistry] })
  const a = hot.series({ listener: 'main', version: 'v1' })
  const b = hot.series({ listener: 'main', version: 'v2' })
  hot.series({ listener: 'preview', version: 'v1' })
  draws.forEach((d, i) => {
    const [series, version] = i % 3 === 0 ? [b, 'v2'] : [a, 'v1']
    series.observe(d)
    ref.observe({ listener: 'main', version }, d)
  })
  assert.equal(await hotRegistry.metrics(), await refRegistry.metrics())
  // Never observed: not exported, as prom-client leaves out a label set never used.
  assert.doesNotMatch(await hotRegistry.metrics(), /preview/)
})

test('reset empties every series', async () => {
  const registry = new Registry()
  const hot = new HotHistogram('x_seconds', 'x', bounds, registry)
  hot.series({ k: 'a' }).observe(0.5)
  registry.resetMetrics()
  assert.doesNotMatch(await registry.metrics(), /x_seconds_count/)
})
