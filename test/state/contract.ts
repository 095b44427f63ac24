import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { isRampError, type RampErrorCode } from '../../src/errors.js'
import type { RolloutState } from '../../src/rollout/types.js'
import type { StateStore, StoredDoc } from '../../src/state/store.js'

/** A rollout paused at its second step; `revision` also shifts `updatedAt` so docs differ. */
export function stateAt(revision: number): RolloutState {
  return {
    revision,
    phase: 'Paused',
    reason: 'CanaryPauseStep',
    message: 'paused at step 2 of 3, waiting for promote',
    strategy: { type: 'canary', steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }] },
    options: { progressDeadlineSeconds: 600, progressDeadlineAbort: true },
    stable: { name: 'v1', backends: ['http://127.0.0.1:9001'] },
    canary: { name: 'v2', backends: ['http://127.0.0.1:9002', 'http://127.0.0.1:9003'] },
    previousStable: { name: 'v0', backends: ['http://127.0.0.1:9000'] },
    stepIndex: 1,
    weightBp: 2000,
    canaryReady: true,
    pauseUntil: null,
    progressDeadlineAt: 1_700_000_600_000,
    scaleDownAt: null,
    attempt: 2,
    startedAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000 + revision,
    finishedAt: null,
    abort: { reason: 'AbortedByAdmin', message: 'error rate too high', actor: 'cli', at: 1_699_999_000_000 },
  }
}

export function docAt(revision: number): StoredDoc {
  return {
    state: stateAt(revision),
    history: [
      { at: 1_700_000_000_000, event: 'retry', actor: 'cli', from: 'Aborted', to: 'Progressing', detail: 'attempt 2 of v2' },
      { at: 1_700_000_000_000 + revision, event: 'setWeight', actor: 'engine', from: 'Progressing', to: 'Paused', detail: 'weight 20' },
    ],
  }
}

export function hasCode(code: RampErrorCode): (err: unknown) => boolean {
  return (err) => isRampError(err) && err.code === code
}

/**
 * The behaviour every StateStore promises. `open` returns a fresh, empty store for one test
 * and registers its own cleanup on `t`.
 */
export function storeContract(name: string, open: (t: TestContext) => StateStore | Promise<StateStore>): void {
  describe(`StateStore contract: ${name}`, () => {
    test('load of an empty store is null', async (t) => {
      const store = await open(t)
      assert.equal(await store.load(), null)
    })

    test('save then load round-trips the doc', async (t) => {
      const store = await open(t)
      await store.save(docAt(1), null)
      assert.deepEqual(await store.load(), docAt(1))
      await store.save(docAt(2), 1)
      assert.deepEqual(await store.load(), docAt(2))
    })

    test('save with a stale expectedRevision is a conflict and keeps the stored doc', async (t) => {
      const store = await open(t)
      await store.save(docAt(1), null)
      await store.save(docAt(2), 1)
      await assert.rejects(store.save(docAt(3), 1), hasCode('RAMP_ERR_STATE_CONFLICT'))
      assert.deepEqual(await store.load(), docAt(2))
    })

    test('save expecting an empty store is a conflict once something is stored', async (t) => {
      const store = await open(t)
      await store.save(docAt(1), null)
      await assert.rejects(store.save(docAt(7), null), hasCode('RAMP_ERR_STATE_CONFLICT'))
      assert.deepEqual(await store.load(), docAt(1))
    })

    test('save expecting a revision on an empty store is a conflict', async (t) => {
      const store = await open(t)
      await assert.rejects(store.save(docAt(2), 1), hasCode('RAMP_ERR_STATE_CONFLICT'))
      assert.equal(await store.load(), null)
    })

    test('the stored doc is a copy: changing what was saved or loaded changes nothing stored', async (t) => {
      const store = await open(t)
      const saved = docAt(1)
      const pending = store.save(saved, null)
      saved.state.phase = 'Aborted'
      saved.history.push({ at: 0, event: 'abort', actor: 'x', from: 'Paused', to: 'Aborted', detail: '' })
      await pending
      const loaded = await store.load()
      assert.ok(loaded !== null)
      loaded.state.stable.backends.push('http://127.0.0.1:1')
      loaded.history.length = 0
      assert.deepEqual(await store.load(), docAt(1))
    })

    test('concurrent saves run one at a time, each checked against the one before', async (t) => {
      const store = await open(t)
      const first = await Promise.allSettled([store.save(docAt(1), null), store.save(docAt(1), null)])
      assert.deepEqual(first.map((r) => r.status), ['fulfilled', 'rejected'])
      assert.ok(first[1]?.status === 'rejected' && hasCode('RAMP_ERR_STATE_CONFLICT')(first[1].reason))

      // Issued together but in revision order: each sees the previous one already stored.
      await Promise.all([store.save(docAt(2), 1), store.save(docAt(3), 2), store.save(docAt(4), 3)])
      assert.deepEqual(await store.load(), docAt(4))
    })

    test('close waits for saves already called', async (t) => {
      const store = await open(t)
      let saved = false
      const pending = store.save(docAt(1), null).then(() => {
        saved = true
      })
      await store.close()
      assert.equal(saved, true)
      await pending
    })

    test('description is a non-empty string', async (t) => {
      const store = await open(t)
      assert.equal(typeof store.description, 'string')
      assert.ok(store.description.length > 0)
    })
  })
}
