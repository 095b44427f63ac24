import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { refusingUrl } from '../../support/world/ports.js'
import { cli, said } from './run.js'
import { at, healthyRamp } from './support.js'

test('ramp dashboard prints the URL of the page the admin listener serves, and nothing else', async (t) => {
  const w = await healthyRamp(t)
  const r = await cli(t, at(w, 'dashboard'))
  assert.equal(r.code, 0, said(r))
  assert.equal(r.stdout, `${w.urls.admin}/\n`)
  const page = await request(r.stdout.trim())
  assert.equal(page.statusCode, 200)
  assert.match(String(page.headers['content-type']), /^text\/html/)
  assert.match(await page.body.text(), /<title>ramp dashboard<\/title>/)
})

test('ramp dashboard fails as every admin command does when nothing answers there', async (t) => {
  const url = await refusingUrl()
  const r = await cli(t, ['dashboard', '--admin', url])
  assert.equal(r.code, 1, said(r))
  assert.equal(r.stdout, '')
  assert.match(r.stderr, new RegExp(`cannot reach the ramp admin API at ${url} \\(ECONNREFUSED\\); is ramp running\\?`))
})
