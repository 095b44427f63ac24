import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { RolloutView } from '../../src/cli/render-status.js'
import type { Ramp } from '../../src/ramp.js'
import { admin, waitFor } from '../support/ramp.js'
import { spawnRamp } from '../support/spawn.js'
import { at, canaryRamp, cli, healthyRamp, pictures, said } from './support.js'

const origin = (ramp: Ramp, version: 'stable' | 'canary'): string => (ramp.config[version]?.backends ?? [])[0] ?? ''

// Each case has its own ramp; starting node for every CLI call dominates the run time, so
// the cases run side by side.
describe('ramp status', { concurrency: true }, () => {
  test('draws the phase, message, versions with their share, the marked steps and the allowed verbs', async (t) => {
    const ramp = await canaryRamp(t)
    const r = await cli(t, at(ramp, 'status'))
    assert.equal(r.code, 0, said(r))
    assert.equal(r.stdout, [
      'Status:         ॥ Paused (CanaryPauseStep)',
      'Message:        Paused: CanaryPauseStep, step 2/5, waiting for promote',
      'Strategy:       Canary',
      '  Step:         2/5',
      '  SetWeight:    20',
      '  ActualWeight: 20',
      '',
      'Versions:',
      `  v1           stable      80%  ${origin(ramp, 'stable')}`,
      `  v2           canary      20%  ${origin(ramp, 'canary')}`,
      '',
      'Steps:',
      '  ✔  1. setWeight: 20',
      '  ▶  2. pause: {}   <- CanaryPauseStep',
      '     3. setWeight: 50',
      '     4. pause: {}',
      '     5. setWeight: 100',
      '',
      'Allowed:        promote, promoteFull, pause, setWeight, abort',
      '',
    ].join('\n'))
    assert.equal(r.stderr, '')
  })

  test('with no rollout shows stable at 100% and start as the only verb', async (t) => {
    const ramp = await healthyRamp(t)
    const r = await cli(t, at(ramp, 'status'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Status: +✔ Healthy \(NoRollout\)$/m)
    assert.match(r.stdout, /^Message: +Healthy: v1 serves 100%$/m)
    assert.match(r.stdout, new RegExp(`^  v1 +stable +100%  ${origin(ramp, 'stable')}$`, 'm'))
    assert.doesNotMatch(r.stdout, /canary +\d/)
    assert.match(r.stdout, /^Allowed: +start$/m)
  })

  test('--json prints the rollout as the admin API has it', async (t) => {
    const ramp = await canaryRamp(t)
    const r = await cli(t, at(ramp, 'status', '--json'))
    assert.equal(r.code, 0, said(r))
    const view = JSON.parse(r.stdout) as RolloutView
    assert.equal(view.phase, 'Paused')
    assert.equal(view.reason, 'CanaryPauseStep')
    assert.equal(view.weight, 20)
    assert.deepEqual(view.steps.map((s) => [s.index, s.done, s.current]), [[0, true, false], [1, false, true], [2, false, false], [3, false, false], [4, false, false]])
    assert.deepEqual(view.steps[1]?.step, { pause: {} })
    assert.deepEqual(view.allowed, ['promote', 'promoteFull', 'pause', 'setWeight', 'abort'])
    assert.deepEqual(view, (await admin<RolloutView>(ramp, 'GET', '/api/v1/rollout')).body)
  })

  test('--watch draws a new picture for every rollout event, each followed by a blank line', async (t) => {
    const ramp = await canaryRamp(t)
    const watch = spawnRamp(t, at(ramp, 'status', '--watch'))
    await waitFor('the first picture', () => watch.stdout().includes('Allowed:'), 10_000)
    assert.equal(pictures(watch.stdout()).length, 1, watch.stdout())

    const promoted = await admin(ramp, 'POST', '/api/v1/rollout/promote', {})
    assert.equal(promoted.status, 200)
    await waitFor('a second picture', () => pictures(watch.stdout()).length >= 2 && watch.stdout().endsWith('\n\n'))

    const [first, second] = pictures(watch.stdout())
    assert.match(first ?? '', /step 2\/5, waiting for promote/)
    assert.match(second ?? '', /^Message: +Paused: CanaryPauseStep, step 4\/5, waiting for promote$/m)
    assert.match(second ?? '', /^  v2 +canary +50%/m)
    assert.match(second ?? '', /^  ▶  4\. pause: \{\}   <- CanaryPauseStep$/m)
    for (const p of [first, second]) assert.ok(p?.endsWith('Allowed:        promote, promoteFull, pause, setWeight, abort\n\n'), `picture not closed by a blank line:\n${p}`)
    assert.equal(watch.child.exitCode, null, 'the watcher keeps watching')

    watch.child.kill('SIGTERM')
    assert.equal((await watch.exit).signal, 'SIGTERM')
  })

  test('--watch also redraws when a second CLI call moves the rollout', async (t) => {
    const ramp = await canaryRamp(t)
    const watch = spawnRamp(t, at(ramp, 'status', '--watch'))
    await waitFor('the first picture', () => watch.stdout().includes('Allowed:'), 10_000)
    const r = await cli(t, at(ramp, 'abort', '-m', 'watched'))
    assert.equal(r.code, 0, said(r))
    await waitFor('the aborted picture', () => pictures(watch.stdout()).some((p) => p.includes('Aborted') && p.endsWith('\n\n')))
    assert.match(pictures(watch.stdout()).at(-1) ?? '', /^Status: +✖ Aborted \(AbortedByAdmin\)$/m)
    assert.match(pictures(watch.stdout()).at(-1) ?? '', /^Allowed: +start, retry$/m)
    watch.child.kill('SIGTERM')
    await watch.exit
  })

  test('--watch ends with a message, not a stack trace, when ramp goes away', { todo: 'bug: src/cli/status.ts watch() lets the SSE stream error escape as "ramp: unexpected error: SocketError: other side closed" with a stack' }, async (t) => {
    let watch: ReturnType<typeof spawnRamp> | undefined
    // The ramp lives in a subtest so that its own clean-up stops it while the watcher runs.
    await t.test('ramp runs, then stops', async (st) => {
      const ramp = await canaryRamp(st)
      watch = spawnRamp(t, at(ramp, 'status', '--watch'))
      const w = watch
      await waitFor('the first picture', () => w.stdout().includes('Allowed:'), 10_000)
    })
    assert.ok(watch !== undefined)
    const { code } = await watch.exit
    assert.equal(code, 1, 'could not be reached any more is exit status 1')
    assert.match(watch.stderr(), /ramp admin API/)
    assert.doesNotMatch(watch.stderr(), /unexpected error|\n\s+at /)
  })
})
