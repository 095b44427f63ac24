import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { test } from 'node:test'
import { parseConfig } from '../../src/config/load.js'
import { workerCount } from '../../src/config/workers.js'

const base = 'listen: { port: 8080 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n'

test('workers: one process by default, a count as given, auto as the cores this process may use', () => {
  assert.equal(workerCount(parseConfig(base, null, {})), 1)
  assert.equal(workerCount(parseConfig(`${base}workers: 3\n`, null, {})), 3)
  assert.equal(workerCount(parseConfig(`${base}workers: auto\n`, null, {})), availableParallelism())
})
