import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { createStore } from '../../src/state/factory.js'

test('createStore picks the backend named by the spec', async () => {
  const path = join('/nonexistent', 'ramp-state.json')
  assert.equal((await createStore({ store: 'memory', path })).description, 'memory')
  assert.equal((await createStore({ store: 'file', path })).description, `file ${path}`)
})
