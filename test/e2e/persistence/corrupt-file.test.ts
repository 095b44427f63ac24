import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { initialState } from '../../../src/rollout/initial.js'
import type { RolloutState } from '../../../src/rollout/types.js'
import { encodeDoc } from '../../../src/state/format.js'
import { spawnRamp, type Spawned } from '../../support/spawn.js'
import { givenRelease, inPromotePause, rolloutUntil, serve, type Release } from './harness.js'

/** A state this ramp could have written: the plain stable v1 of the release, nothing released. */
function storedState(r: Release): RolloutState {
  return initialState({
    stable: { name: 'v1', backends: [r.v1.url] },
    canary: null,
    strategy: null,
    mode: 'canary',
    weightBp: 0,
    options: { progressDeadlineSeconds: 600, progressDeadlineAbort: true },
    now: Date.now(),
  }).state
}


const corrupt: Array<{ name: string; bytes: (r: Release) => string }> = [
  { name: 'garbage text', bytes: () => 'not json at all {\n' },
  { name: 'nothing (an empty file)', bytes: () => '' },
  { name: 'a JSON array', bytes: () => '[1, 2, 3]\n' },
  { name: 'a state without a revision', bytes: () => '{"format": 1, "state": {"phase": "Paused"}, "history": []}\n' },
  { name: 'a state of only a revision and a phase', bytes: () => '{"format": 1, "state": {"revision": 3, "phase": "Paused"}, "history": []}\n' },
  { name: 'an unknown phase', bytes: (r) => encodeDoc({ state: { ...storedState(r), phase: 'Nonsense' as RolloutState['phase'] }, history: [] }) },
  { name: 'history lines that are not events', bytes: (r) => encodeDoc({ state: storedState(r), history: [1, 'x'] as never }) },
]

/** Either the exit of a refused start, or 'started' when ramp opened its listeners anyway. */
function outcome(proc: Spawned): Promise<{ code: number | null } | 'started'> {
  // line() rejects once ramp exits without the line; the exit itself is the answer then.
  const started = proc.line(/"ramp listening/).then(() => 'started' as const, () => new Promise<never>(() => undefined))
  return Promise.race([proc.exit, started])
}

for (const c of corrupt) {
  test(`a state file holding ${c.name} stops start-up with exit 2, naming the file and --reset-state, and is left untouched`, { timeout: 15_000 }, async (t) => {
    const release = await givenRelease(t, ['setWeight: 30', 'pause: {}', 'setWeight: 100'])
    const bytes = c.bytes(release)
    writeFileSync(release.statePath, bytes)

    const refused = spawnRamp(t, ['serve', '-c', release.config])
    const end = await outcome(refused)
    assert.notEqual(end, 'started', `ramp started on it; stdout:\n${refused.stdout()}`)
    assert.equal(end === 'started' ? null : end.code, 2, refused.stderr())
    assert.ok(refused.stderr().includes(release.statePath), `stderr does not name the file:\n${refused.stderr()}`)
    assert.match(refused.stderr(), /--reset-state/)
    assert.equal(readFileSync(release.statePath, 'utf8'), bytes)
  })
}

for (const c of corrupt.filter((c) => c.name === 'garbage text' || c.name === 'a state without a revision')) {
  test(`serve --reset-state moves a state file holding ${c.name} aside, bytes kept, and starts from the config`, async (t) => {
    const release = await givenRelease(t, ['setWeight: 30', 'pause: {}', 'setWeight: 100'])
    const bytes = c.bytes(release)
    writeFileSync(release.statePath, bytes)

    const fresh = await serve(t, release, '--reset-state')
    const aside = readdirSync(release.dir).filter((f) => f.startsWith('state.json.corrupt-'))
    assert.equal(aside.length, 1, `moved-aside files: ${aside.join(', ')}`)
    assert.equal(readFileSync(join(release.dir, aside[0] as string), 'utf8'), bytes)
    const view = await rolloutUntil(fresh, 'the config rollout to reach its pause', inPromotePause)
    assert.deepEqual({ step: view.step, weight: view.weight, stable: view.stable.name, canary: view.canary?.name }, { step: 1, weight: 30, stable: 'v1', canary: 'v2' })
    const stored = JSON.parse(readFileSync(release.statePath, 'utf8')) as { state: { revision: number } }
    assert.equal(stored.state.revision, view.revision, 'a fresh state file took the old one\'s place')
  })
}
