// Demo backends in a process of their own, so the load generator and the proxy under test
// do not share their event loop. Usage: node --import tsx bench/backends.ts v1 v2 ...
// Prints one JSON line {"backends":{"v1":"http://127.0.0.1:port",...}} once all listen.
import { startDemoBackend, type DemoBackend } from '../src/demo/backend.js'
import { exitWithParent } from './lib/parent.js'

const colors = ['blue', 'green', 'orange', 'purple']
const names = process.argv.slice(2)
if (names.length === 0) names.push('v1')

const started: DemoBackend[] = []
exitWithParent(async () => { await Promise.all(started.map((b) => b.close())) })
const urls: Record<string, string> = {}
for (const [i, name] of names.entries()) {
  const b = await startDemoBackend({ name, color: colors[i % colors.length] ?? 'grey', host: '127.0.0.1' })
  started.push(b)
  urls[name] = b.url
}
process.stdout.write(`${JSON.stringify({ backends: urls })}\n`)
