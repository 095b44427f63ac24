import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { RolloutView } from '../../support/world/admin.js'
import { backend } from '../../support/world/backends.js'
import { waitFor } from '../../support/world/eventually.js'
import { answering, recorder } from '../../support/world/recorder.js'
import { cli, said } from './run.js'
import { at, canaryRamp, healthyRamp } from './support.js'

/** The user name the CLI sends as `x-ramp-actor`, as it lands in messages. */
const actor = String.raw`[\w.@-]+`

// Each case has its own ramp, waiting at step 2/5 (20%, `pause: {}`); starting node for
// every CLI call dominates the run time, so the cases run side by side.
describe('rollout verbs', { concurrency: true }, () => {
  test('promote moves past a pause: {} step and prints the new message', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'promote'))
    assert.equal(r.code, 0, said(r))
    assert.equal(r.stdout, 'Paused: CanaryPauseStep, step 4/5, waiting for promote\n')
    const view = await w.rollout()
    assert.equal(view.step, 3)
    assert.equal(view.weight, 50)
    assert.equal(view.routing.weight, 50)
  })

  test('promote --full finishes the rollout: the canary becomes stable', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'promote', '--full'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Healthy: v2 promoted at \d\d:\d\d:\d\d\n$/)
    const view = await w.rollout()
    assert.equal(view.phase, 'Healthy')
    assert.equal(view.reason, 'Promoted')
    assert.equal(view.stable.name, 'v2')
    assert.equal(view.canary, null)
    assert.equal(view.previousStable?.name, 'v1')
    assert.equal(view.routing.stable, 'v2')
    assert.equal(view.routing.canary, null)
  })

  test('abort -m sends everything to stable and keeps the reason in the history', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'abort', '-m', 'error rate too high'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, new RegExp(`^Aborted: by ${actor}: error rate too high\n$`))
    const view = await w.rollout()
    assert.equal(view.phase, 'Aborted')
    assert.equal(view.weight, 0)
    assert.equal(view.abort?.message, 'error rate too high')
    assert.equal(view.routing.canary, null)
    const last = (await w.history()).at(-1)
    assert.equal(last?.event, 'abort')
    assert.equal(last?.to, 'Aborted')
    assert.match(last?.detail ?? '', /error rate too high/)

    // A second abort already took effect: a no-op that answers like the first.
    const again = await cli(t, at(w, 'abort'))
    assert.equal(again.code, 0, said(again))
    assert.equal(again.stdout, r.stdout)
  })

  test('retry after an abort starts the rollout again from step 0', async (t) => {
    const w = await canaryRamp(t)
    assert.equal((await w.admin.abort()).status, 200)
    const r = await cli(t, at(w, 'retry'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Progressing: waiting for v2 to be ready, deadline \d\d:\d\d:\d\d\n$/)
    await waitFor('v2 to be ready again', async () => (await w.rollout()).reason === 'CanaryPauseStep', 10_000)
    const view = await w.rollout()
    assert.equal(view.attempt, 2)
    assert.equal(view.step, 1, 'setWeight 20 then the first pause, as on the first attempt')
    assert.equal(view.weight, 20)
    assert.deepEqual((await w.history()).slice(-2).map((e) => e.event), ['retry', 'ready'])
  })

  test('pause holds the rollout and resume releases it', async (t) => {
    const w = await canaryRamp(t)
    const paused = await cli(t, at(w, 'pause', '--json'))
    assert.equal(paused.code, 0, said(paused))
    const view = JSON.parse(paused.stdout) as RolloutView
    assert.equal(view.reason, 'ManualPause')
    assert.match(view.message, new RegExp(`^Paused: by ${actor}, step 2/5$`))
    assert.ok(view.allowed.includes('resume'), view.allowed.join())

    const resumed = await cli(t, at(w, 'resume'))
    assert.equal(resumed.code, 0, said(resumed))
    assert.equal(resumed.stdout, 'Paused: CanaryPauseStep, step 2/5, waiting for promote\n')
    assert.equal((await w.rollout()).reason, 'CanaryPauseStep')
  })

  test('set-weight 35.5 holds the canary at 35.5%', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'set-weight', '35.5'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, new RegExp(`^Paused: weight set to 35.5% by ${actor}, step 2/5\n$`))
    assert.equal((await w.rollout()).routing.weight, 35.5)

    const status = await w.admin.status()
    assert.equal(status.reason, 'ManualWeight')
    assert.equal(status.weight, 35.5)
  })

  for (const weight of ['101', 'abc', '12.345']) {
    test(`set-weight ${JSON.stringify(weight)} exits 2 without calling the server`, async (t) => {
      const server = await recorder(t, answering(500))
      const r = await cli(t, ['set-weight', weight, '--admin', server.url])
      assert.equal(r.code, 2, said(r))
      assert.match(r.stderr, /is not a number from 0 to 100 with at most two decimals/)
      assert.equal(server.seen.length, 0)
    })
  }

  test('set-weight 0x10 exits 2: a weight is a decimal number', async (t) => {
    const server = await recorder(t, answering(500))
    const r = await cli(t, ['set-weight', '0x10', '--admin', server.url])
    assert.equal(r.code, 2, said(r))
    assert.equal(server.seen.length, 0)
  })

  test('a verb that does not apply exits 1 with the server\'s message and the allowed verbs', async (t) => {
    const w = await canaryRamp(t)
    const before = (await w.rollout()).revision
    const r = await cli(t, at(w, 'resume'))
    assert.equal(r.code, 1, said(r))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /\(409 RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED\)/)
    assert.match(r.stderr, /resume does not apply in phase Paused \(CanaryPauseStep\)/)
    assert.match(r.stderr, /^allowed in phase Paused: promote, promoteFull, pause, setWeight, abort$/m)
    assert.equal((await w.rollout()).revision, before, 'nothing changed')
  })
})

describe('ramp deploy', { concurrency: true }, () => {
  test('starts a rollout of the new version over every --backend given', async (t) => {
    const w = await healthyRamp(t)
    const [a, b] = [await backend(t, { name: 'v3' }), await backend(t, { name: 'v3' })]
    const r = await cli(t, at(w, 'deploy', '--name', 'v3', '--backend', a.url, '--backend', b.url))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Progressing: waiting for v3 to be ready, deadline \d\d:\d\d:\d\d\n$/)
    await w.routed('v3', 10_000)
    const view = await w.rollout()
    assert.deepEqual(view.canary?.backends, [a.url, b.url])
    assert.equal(view.reason, 'CanaryPauseStep')
    assert.equal(view.weight, 20)
  })

  test('a second deploy while one is in progress exits 1 with the 409 and the allowed verbs; --supersede replaces it', async (t) => {
    const w = await healthyRamp(t)
    const [v3, v4] = [await backend(t, { name: 'v3' }), await backend(t, { name: 'v4' })]
    assert.equal((await w.admin.deploy({ name: 'v3', backends: [v3.url] })).status, 201)
    await w.routed('v3', 10_000)

    const refused = await cli(t, at(w, 'deploy', '--name', 'v4', '--backend', v4.url))
    assert.equal(refused.code, 1, said(refused))
    assert.equal(refused.stdout, '')
    assert.match(refused.stderr, /\(409 RAMP_ERR_ROLLOUT_IN_PROGRESS\)/)
    assert.match(refused.stderr, /start v4: the rollout of v3 is in progress \(Paused, CanaryPauseStep\); abort it first or send supersede: true/)
    assert.match(refused.stderr, /^allowed in phase Paused: promote, promoteFull, pause, setWeight, abort$/m)
    assert.equal((await w.rollout()).canary?.name, 'v3', 'the rollout in progress is untouched')

    const superseded = await cli(t, at(w, 'deploy', '--name', 'v4', '--backend', v4.url, '--supersede'))
    assert.equal(superseded.code, 0, said(superseded))
    assert.match(superseded.stdout, /^Progressing: waiting for v4 to be ready/)
    await w.routed('v4', 10_000)
    const history = await w.history()
    assert.ok(history.some((e) => e.event === 'abort' && e.detail === 'v3 superseded by v4'), JSON.stringify(history, null, 2))
  })

  test('a backend that is not a URL is refused by the server with the field named', async (t) => {
    const w = await healthyRamp(t)
    const r = await cli(t, at(w, 'deploy', '--name', 'v3', '--backend', 'htp://x'))
    assert.equal(r.code, 1, said(r))
    assert.match(r.stderr, /\(400 RAMP_ERR_ADMIN_BAD_REQUEST\)/)
    assert.match(r.stderr, /body\.version\.backends\[0\]/)
    assert.equal((await w.rollout()).phase, 'Healthy')
  })
})

const token = { RAMP_ADMIN_TOKEN: 'sekret' }

describe('admin token', { concurrency: true }, () => {
  test('without the token a verb exits 1 naming the 401 and the token, and changes nothing', async (t) => {
    const w = await canaryRamp(t, token)
    const before = (await w.rollout()).revision
    const r = await cli(t, at(w, 'promote'))
    assert.equal(r.code, 1, said(r))
    assert.match(r.stderr, /\(401 RAMP_ERR_ADMIN_UNAUTHORIZED\)/)
    assert.match(r.stderr, /needs the admin token/)
    assert.match(r.stderr, /RAMP_ADMIN_TOKEN/)
    assert.equal((await w.rollout()).revision, before)
  })

  test('a wrong token is refused the same way', async (t) => {
    const w = await canaryRamp(t, token)
    const r = await cli(t, at(w, 'promote'), { RAMP_ADMIN_TOKEN: 'guess' })
    assert.equal(r.code, 1, said(r))
    assert.match(r.stderr, /\(401 RAMP_ERR_ADMIN_UNAUTHORIZED\)/)
  })

  test('with RAMP_ADMIN_TOKEN in its environment the CLI is let through', async (t) => {
    const w = await canaryRamp(t, token)
    const r = await cli(t, at(w, 'promote'), token)
    assert.equal(r.code, 0, said(r))
    assert.equal(r.stdout, 'Paused: CanaryPauseStep, step 4/5, waiting for promote\n')
  })
})
