import assert from 'node:assert/strict'
import { test } from 'node:test'
import { curl } from '../support/wire/curl.js'
import { backend } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { world } from '../support/world/world.js'

// The README's first commands, with the client people will use: curl.
test('curl through the main and preview listeners gets the demo answer and the serving version', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1', color: 'blue' }), await backend(t, { name: 'v2', color: 'green' })]
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, weight: 0, more: 'versionHeader: { response: true }' }) })
  await w.routed()
  const main = await curl(['-si', `${w.urls.main}/hello?x=1`])
  assert.match(main.stdout, /^HTTP\/1\.1 200 OK\r$/m)
  assert.match(main.stdout, /^x-ramp-version: v1\r$/m)
  assert.match(main.stdout, /"color":"blue","method":"GET","path":"\/hello"/)
  const preview = await curl(['-s', `${w.urls.preview as string}/`])
  assert.match(preview.stdout, /"version":"v2","color":"green"/)
  const status = await curl(['-s', `${w.urls.admin}/api/v1/status`])
  assert.equal((JSON.parse(status.stdout) as { weight: number }).weight, 0)
})
