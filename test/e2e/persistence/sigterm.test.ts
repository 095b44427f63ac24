import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { givenRelease, inTimedPause, rollout, rolloutUntil, serve } from './harness.js'

test('SIGTERM exits 0 and leaves the state file whole, and the next start resumes from it', async (t) => {
  const release = await givenRelease(t, ['setWeight: 40', 'pause: { duration: 1h }', 'setWeight: 100'])
  const first = await serve(t, release)
  const before = await rolloutUntil(first, 'the timed pause', inTimedPause)
  const bytes = readFileSync(release.statePath, 'utf8')

  first.proc.child.kill('SIGTERM')
  assert.deepEqual(await first.proc.exit, { code: 0, signal: null }, first.proc.stderr())
  assert.equal(readFileSync(release.statePath, 'utf8'), bytes)
  const stored = JSON.parse(bytes) as { format: number; state: { revision: number; phase: string } }
  assert.equal(stored.format, 1)
  assert.deepEqual({ revision: stored.state.revision, phase: stored.state.phase }, { revision: before.revision, phase: 'Paused' })
  assert.deepEqual(readdirSync(release.dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind')

  const second = await serve(t, release)
  const after = await rollout(second)
  assert.deepEqual(after, before)
})
