// Demo backends in a process of their own, so the load generator and the proxy under test
// do not share their event loop. Usage: node children/backends.js '<JSON list of BackendSpec>'.
// Prints one JSON line {"backends":{"v1":"http://127.0.0.1:port",...}} once all listen.
import { startDemoBackend, type DemoBackend } from '../../demo/backend.js'
import type { BackendSpec } from '../backend-spec.js'
import { latencySampler } from '../latency.js'
import { exitWithParent } from '../parent.js'

const colors = ['blue', 'green', 'orange', 'purple']
const specs = JSON.parse(process.argv[2] ?? '[]') as BackendSpec[]

const started: DemoBackend[] = []
exitWithParent(async () => { await Promise.all(started.map((b) => b.close())) })
const urls: Record<string, string> = {}
for (const [i, spec] of specs.entries()) {
  const delay = latencySampler(spec.latency)
  if (typeof delay === 'string') throw new Error(`${spec.name}: ${delay}`)
  const b = await startDemoBackend({
    name: spec.name,
    color: colors[i % colors.length] ?? 'grey',
    host: '127.0.0.1',
    failRate: spec.errorRate,
    delay,
    ...(spec.bytes === null ? {} : { bodyBytes: spec.bytes }),
  })
  started.push(b)
  urls[spec.name] = b.url
}
process.stdout.write(`${JSON.stringify({ backends: urls })}\n`)
