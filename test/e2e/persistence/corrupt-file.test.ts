import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { initialState } from '../../../src/rollout/initial.js'
import type { RolloutState } from '../../../src/rollout/types.js'
import { encodeDoc } from '../../../src/state/format.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { failedStart, world } from '../../support/world/world.js'

/** A state this ramp could have written: the plain stable v1 of the release, nothing released. */
function storedState(v1: string): RolloutState {
  return initialState({
    stable: { name: 'v1', backends: [v1] },
    canary: null,
    strategy: null,
    mode: 'canary',
    weightBp: 0,
    options: { progressDeadlineSeconds: 600, progressDeadlineAbort: true },
    now: Date.now(),
  }).state
}

const corrupt: Array<{ name: string; bytes: (v1: string) => string }> = [
  { name: 'garbage text', bytes: () => 'not json at all {\n' },
  { name: 'nothing (an empty file)', bytes: () => '' },
  { name: 'a JSON array', bytes: () => '[1, 2, 3]\n' },
  { name: 'a state without a revision', bytes: () => '{"format": 1, "state": {"phase": "Paused"}, "history": []}\n' },
  { name: 'a state of only a revision and a phase', bytes: () => '{"format": 1, "state": {"revision": 3, "phase": "Paused"}, "history": []}\n' },
  { name: 'an unknown phase', bytes: (v1) => encodeDoc({ state: { ...storedState(v1), phase: 'Nonsense' as RolloutState['phase'] }, history: [] }) },
  { name: 'history lines that are not events', bytes: (v1) => encodeDoc({ state: storedState(v1), history: [1, 'x'] as never }) },
]

/** A release of v2 over v1 whose state file holds `c`'s bytes. */
async function over(t: TestContext, c: (typeof corrupt)[number]): Promise<{ config: string; stateFile: string }> {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  return { config: release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 30', 'pause: {}', 'setWeight: 100'] }), stateFile: c.bytes(v1.url) }
}

for (const c of corrupt) {
  test(`a state file holding ${c.name} stops start-up with exit 2, naming the file and --reset-state, and is left untouched`, { timeout: 15_000 }, async (t) => {
    const given = await over(t, c)
    const refused = await failedStart(t, given)
    assert.equal(refused.exit.code, 2, refused.stderr)
    assert.ok(refused.stderr.includes(refused.statePath), `stderr does not name the file:\n${refused.stderr}`)
    assert.match(refused.stderr, /--reset-state/)
    assert.equal(readFileSync(refused.statePath, 'utf8'), given.stateFile)
  })
}

for (const c of corrupt.filter((c) => c.name === 'garbage text' || c.name === 'a state without a revision')) {
  test(`serve --reset-state moves a state file holding ${c.name} aside, bytes kept, and starts from the config`, async (t) => {
    const given = await over(t, c)
    const fresh = await world(t, { ...given, process: true, flags: ['--reset-state'] })
    const aside = readdirSync(fresh.dir).filter((f) => f.startsWith('state.json.corrupt-'))
    assert.equal(aside.length, 1, `moved-aside files: ${aside.join(', ')}`)
    assert.equal(readFileSync(join(fresh.dir, aside[0] as string), 'utf8'), given.stateFile)
    const view = await fresh.eventually('Paused', 'CanaryPauseStep', 8000)
    assert.deepEqual({ step: view.step, weight: view.weight, stable: view.stable.name, canary: view.canary?.name }, { step: 1, weight: 30, stable: 'v1', canary: 'v2' })
    const stored = JSON.parse(readFileSync(fresh.statePath, 'utf8')) as { state: { revision: number } }
    assert.equal(stored.state.revision, view.revision, 'a fresh state file took the old one\'s place')
  })
}
