import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'

// A process of its own, so that nothing else loaded prom-client's index before.
test('prom-core alone loads neither prom-client\'s default metrics nor its cluster aggregator', async () => {
  const script = [
    "await import('./src/metrics/prom-core.ts')",
    "const { createRequire } = await import('node:module')",
    "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/node_modules/'))",
    "console.log(JSON.stringify(['/prom-client/index.js', '/prom-client/lib/defaultMetrics.js', '/prom-client/lib/cluster.js', '/@opentelemetry/'].filter((p) => loaded.some((f) => f.includes(p)))))",
  ].join('\n')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../..', import.meta.url).pathname })
  assert.deepEqual(JSON.parse(stdout), [])
})
