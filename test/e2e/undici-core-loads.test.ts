import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'

// A process of its own, so that nothing else loaded undici's index before.
test('undici-core alone loads no part of undici beyond its dispatchers and API, and gives every dispatcher its request', async () => {
  const script = [
    "const { Agent } = await import('./src/undici-core.ts')",
    "const { createRequire } = await import('node:module')",
    "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/node_modules/undici/'))",
    "console.log(JSON.stringify({ request: typeof new Agent().request, index: loaded.some((f) => f.endsWith('/undici/index.js')), fetch: loaded.some((f) => f.includes('/lib/web/')) }))",
  ].join('\n')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname })
  assert.deepEqual(JSON.parse(stdout), { request: 'function', index: false, fetch: false })
})
