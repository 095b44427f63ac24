import assert from 'node:assert/strict'
import { test } from 'node:test'
import { stateDrift, type Drift } from '../../src/rollout/drift.js'
import { initialState, type InitialInput } from '../../src/rollout/initial.js'

const v1 = { name: 'v1', backends: ['http://127.0.0.1:9001'] }
const v2 = { name: 'v2', backends: ['http://127.0.0.1:9002'] }
const base: InitialInput = { stable: v1, canary: v2, strategy: null, mode: 'canary', weightBp: 4000, options: { progressDeadlineSeconds: 600, progressDeadlineAbort: true }, now: 0 }
const steps = (...weights: number[]): InitialInput['strategy'] => ({ type: 'canary', steps: weights.map((w) => ({ setWeight: w })), analysis: null })
const state = (over: Partial<InitialInput>) => initialState({ ...base, ...over }).state

const rows: Array<{ name: string; config: Partial<InitialInput>; stored: Partial<InitialInput>; want: Drift[] }> = [
  { name: 'the same config: nothing', config: {}, stored: {}, want: [] },
  { name: 'a static split at another weight', config: { weightBp: 2000 }, stored: {}, want: [{ field: 'weight', config: '20', state: '40' }] },
  { name: 'the weight of a rollout with steps is its progress, not a difference', config: { strategy: steps(20), weightBp: 2000 }, stored: { strategy: steps(20) }, want: [] },
  { name: 'another canary', config: { canary: { name: 'v3', backends: ['http://127.0.0.1:9003'] } }, stored: {}, want: [{ field: 'canary', config: 'v3 (http://127.0.0.1:9003)', state: 'v2 (http://127.0.0.1:9002)' }] },
  { name: 'no canary in the config', config: { canary: null }, stored: {}, want: [{ field: 'canary', config: 'none', state: 'v2 (http://127.0.0.1:9002)' }] },
  { name: 'the stable on other backends', config: { stable: { name: 'v1', backends: ['http://127.0.0.1:9100'] } }, stored: {}, want: [{ field: 'stable', config: 'v1 (http://127.0.0.1:9100)', state: 'v1 (http://127.0.0.1:9001)' }] },
  { name: 'other steps', config: { strategy: steps(20, 50) }, stored: { strategy: steps(20) }, want: [{ field: 'strategy', config: 'canary, 2 steps: [{"setWeight":20},{"setWeight":50}]', state: 'canary, 1 step: [{"setWeight":20}]' }] },
]

for (const r of rows) {
  test(`stateDrift: ${r.name}`, () => {
    assert.deepEqual(stateDrift(state(r.config), state(r.stored)), r.want)
  })
}
