import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { errorRegistry, rampError } from '../src/errors.js'

test('docs/errors.md lists exactly the codes of the registry, with their status and hint', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  const documented: Record<string, { status: number; hint: string }> = {}
  for (const m of doc.matchAll(/^\| `(RAMP_ERR_\w+)` \| (\d+) \| (.*) \|$/gm)) {
    documented[m[1] as string] = { status: Number(m[2]), hint: (m[3] as string).replace(/\\\|/g, '|') }
  }
  assert.deepEqual(Object.keys(documented).sort(), Object.keys(errorRegistry).sort())
  for (const [code, { status, hint }] of Object.entries(errorRegistry)) {
    assert.equal(documented[code]?.status, status, `${code} status`)
    assert.equal(documented[code]?.hint, hint, `${code} hint`)
  }
})

test('a RampError takes its status and hint from the registry and keeps its cause', () => {
  const cause = new Error('ECONNREFUSED')
  const e = rampError('RAMP_ERR_UPSTREAM_CONNECT', 'version v1: backend x refused the connection', { cause, details: { version: 'v1' } })
  assert.equal(e.statusCode, 502)
  assert.equal(e.cause, cause)
  assert.deepEqual(e.toJSON(), { error: 'RAMP_ERR_UPSTREAM_CONNECT', message: 'version v1: backend x refused the connection', hint: errorRegistry.RAMP_ERR_UPSTREAM_CONNECT.hint, version: 'v1' })
})
