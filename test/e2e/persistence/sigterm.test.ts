import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

test('SIGTERM exits 0 and leaves the state file whole, and the next start resumes from it', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const config = release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 40', 'pause: { duration: 1h }', 'setWeight: 100'] })
  const first = await world(t, { config, process: true })
  const before = await first.eventually('Paused', 'TimedPause', 8000)
  const bytes = readFileSync(first.statePath, 'utf8')

  first.proc.child.kill('SIGTERM')
  assert.deepEqual(await first.proc.exit, { code: 0, signal: null }, first.proc.stderr())
  assert.equal(readFileSync(first.statePath, 'utf8'), bytes)
  const stored = JSON.parse(bytes) as { format: number; state: { revision: number; phase: string } }
  assert.equal(stored.format, 1)
  assert.deepEqual({ revision: stored.state.revision, phase: stored.state.phase }, { revision: before.revision, phase: 'Paused' })
  assert.deepEqual(readdirSync(first.dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind')

  const second = await first.restart()
  const after = await second.rollout()
  assert.deepEqual(after, before)
})
