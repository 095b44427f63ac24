import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from 'node:test'
import { backend, canaryRouted, rampWith } from '../support/ramp.js'

const run = promisify(execFile)

// The README's first commands, with the client people will use: curl.
test('curl through the main and preview listeners gets the demo answer and the serving version', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1', color: 'blue' }), await backend(t, { name: 'v2', color: 'green' })]
  const ramp = await rampWith(t, `listen: { port: 0 }\npreview: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\ncanary: { name: v2, backends: ["${v2.url}"] }\nweight: 0\nversionHeader: { response: true }\nreadiness: { intervalMs: 20 }\n`)
  await canaryRouted(ramp)
  const main = await run('curl', ['-si', `${ramp.urls.main}/hello?x=1`])
  assert.match(main.stdout, /^HTTP\/1\.1 200 OK\r$/m)
  assert.match(main.stdout, /^x-ramp-version: v1\r$/m)
  assert.match(main.stdout, /"color":"blue","method":"GET","path":"\/hello"/)
  const preview = await run('curl', ['-s', `${ramp.urls.preview as string}/`])
  assert.match(preview.stdout, /"version":"v2","color":"green"/)
  const status = await run('curl', ['-s', `${ramp.urls.admin}/api/v1/status`])
  assert.equal((JSON.parse(status.stdout) as { weight: number }).weight, 0)
})
