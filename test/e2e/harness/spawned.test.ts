import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawnProgram } from '../../support/world/process.js'

// Tests read a process's output once its `exit` resolves. The process's 'exit' event says it
// ended, not that its output did: the last chunk may still be on its way (seen under load).
// A child of its own, writing to the same stdout after it ended, makes that gap certain.
test('a spawned process\'s exit resolves once its stdout ended, not only the process', async (t) => {
  const p = spawnProgram(t, 'sh', ['-c', '(sleep 0.3; echo last) & echo first'])
  assert.deepEqual(await p.exit, { code: 0, signal: null })
  assert.equal(p.stdout(), 'first\nlast\n')
})
