import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test, type TestContext } from 'node:test'
import type { RolloutView } from '../../../src/cli/render-status.js'
import { waitFor } from '../../support/world/eventually.js'
import { spawnRamp, type Spawned } from '../../support/world/process.js'
import type { World } from '../../support/world/world.js'
import { cli, said } from './run.js'
import { at, canaryRamp, healthyRamp, pictures } from './support.js'

/** The first backend of a version, as the status shows it. */
const origin = async (w: World, version: 'stable' | 'canary'): Promise<string> => (await w.rollout())[version]?.backends[0] ?? ''

// Each case has its own ramp; starting node for every CLI call dominates the run time, so
// the cases run side by side.
describe('ramp status', { concurrency: true }, () => {
  test('draws the phase, message, versions with their share, the marked steps and the allowed verbs', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'status'))
    assert.equal(r.code, 0, said(r))
    assert.equal(r.stdout, [
      'Status:         ‖ Paused (CanaryPauseStep)',
      'Message:        Paused: CanaryPauseStep, step 2/5, waiting for promote',
      'Strategy:       Canary',
      '  Step:         2/5',
      '  SetWeight:    20',
      '  ActualWeight: 20',
      '',
      'Versions:',
      `  v1           stable      80%  ${await origin(w, 'stable')}`,
      `  v2           canary      20%  ${await origin(w, 'canary')}`,
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
    const w = await healthyRamp(t)
    const r = await cli(t, at(w, 'status'))
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Status: +✔ Healthy \(NoRollout\)$/m)
    assert.match(r.stdout, /^Message: +Healthy: v1 serves 100%$/m)
    assert.match(r.stdout, new RegExp(`^  v1 +stable +100%  ${await origin(w, 'stable')}$`, 'm'))
    assert.doesNotMatch(r.stdout, /canary +\d/)
    assert.match(r.stdout, /^Allowed: +start$/m)
  })

  test('--json prints the rollout as the admin API has it', async (t) => {
    const w = await canaryRamp(t)
    const r = await cli(t, at(w, 'status', '--json'))
    assert.equal(r.code, 0, said(r))
    const view = JSON.parse(r.stdout) as RolloutView
    assert.equal(view.phase, 'Paused')
    assert.equal(view.reason, 'CanaryPauseStep')
    assert.equal(view.weight, 20)
    assert.deepEqual(view.steps.map((s) => [s.index, s.done, s.current]), [[0, true, false], [1, false, true], [2, false, false], [3, false, false], [4, false, false]])
    assert.deepEqual(view.steps[1]?.step, { pause: {} })
    assert.deepEqual(view.allowed, ['promote', 'promoteFull', 'pause', 'setWeight', 'abort'])
    assert.deepEqual(view, await w.rollout())
  })

  test('--watch draws a new picture for every rollout event, each followed by a blank line', async (t) => {
    const w = await canaryRamp(t)
    const watch = spawnRamp(t, at(w, 'status', '--watch'))
    // The first picture is drawn from the event stream's opening message, so it proves the subscription.
    await waitFor('the first picture', () => watch.stdout().includes('Allowed:'), 10_000)

    assert.equal((await w.admin.promote()).status, 200)
    await waitFor('the picture after the promote', () => pictures(watch.stdout()).at(-1)?.includes('step 4/5') === true && watch.stdout().endsWith('\n\n'))

    const all = pictures(watch.stdout())
    const [first, last] = [all[0] ?? '', all.at(-1) ?? '']
    assert.match(first, /^Message: +Paused: CanaryPauseStep, step 2\/5, waiting for promote$/m)
    assert.match(last, /^Message: +Paused: CanaryPauseStep, step 4\/5, waiting for promote$/m)
    assert.match(last, /^  v2 +canary +50%/m)
    assert.match(last, /^  ▶  4\. pause: \{\}   <- CanaryPauseStep$/m)
    for (const p of all) assert.ok(p.endsWith('Allowed:        promote, promoteFull, pause, setWeight, abort\n\n'), `picture not closed by a blank line:\n${p}`)
    assert.equal(watch.child.exitCode, null, 'the watcher keeps watching')

    watch.child.kill('SIGTERM')
    assert.equal((await watch.exit).signal, 'SIGTERM')
  })

  test('--watch also redraws when a second CLI call moves the rollout', async (t) => {
    const w = await canaryRamp(t)
    const watch = spawnRamp(t, at(w, 'status', '--watch'))
    await waitFor('the first picture', () => watch.stdout().includes('Allowed:'), 10_000)
    const r = await cli(t, at(w, 'abort', '-m', 'watched'))
    assert.equal(r.code, 0, said(r))
    await waitFor('the aborted picture', () => pictures(watch.stdout()).some((p) => p.includes('Aborted') && p.endsWith('\n\n')))
    const last = pictures(watch.stdout()).at(-1) ?? ''
    assert.match(last, /^Status: +✖ Aborted \(AbortedByAdmin\)$/m)
    assert.match(last, /^Message: +Aborted: by [\w.@-]+: watched$/m)
    assert.match(last, /^Allowed: +start, retry$/m)
    watch.child.kill('SIGTERM')
    await watch.exit
  })

  test('--watch does not miss a change made between its first picture and its subscription', async (t) => {
    // The race cannot be timed against a real ramp, so a stand-in replays two real views.
    const w = await canaryRamp(t)
    const before = await w.rollout()
    await w.admin.promote()
    const after = await w.rollout()
    const stale = await standIn(t, [before, after])
    const watch = spawnRamp(t, ['status', '--watch', '--admin', stale])
    await waitFor('the first picture', () => watch.stdout().includes('Allowed:'), 10_000)
    await waitFor('the picture after the promote', () => watch.stdout().includes('step 4/5'), 2000)
  })

  test('--watch ends with a message, not a stack trace, when ramp goes away', async (t) => {
    let watch: Spawned | undefined
    // The ramp lives in a subtest so that its own clean-up stops it while the watcher runs.
    await t.test('ramp runs, then stops', async (st) => {
      const w = await canaryRamp(st)
      const watcher = spawnRamp(t, at(w, 'status', '--watch'))
      watch = watcher
      await waitFor('the first picture', () => watcher.stdout().includes('Allowed:'), 10_000)
    })
    assert.ok(watch !== undefined)
    const { code } = await watch.exit
    assert.equal(code, 1, 'an admin API that cannot be reached any more is exit status 1')
    assert.match(watch.stderr(), /ramp admin API/)
    assert.doesNotMatch(watch.stderr(), /unexpected error|\n\s+at /)
  })
})

/**
 * A stand-in admin API over two views of one rollout. It serves `before` until its first
 * read, then turns to `after` (as if a promote landed just then) and tells the event streams
 * open at that moment, as ramp would; a stream opened later gets only the first `status`
 * message, then silence, as from a ramp waiting in a `pause: {}` step.
 */
async function standIn(t: TestContext, [before, after]: [RolloutView, RolloutView]): Promise<string> {
  let view = before
  const streams = new Set<ServerResponse>()
  const send = (res: ServerResponse, event: string, data: unknown): void => { res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) }
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/rollout') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view))
      if (view === before) {
        view = after
        for (const s of streams) send(s, 'rollout', { entry: { event: 'promote' }, status: { phase: after.phase } })
      }
    } else if (req.url === '/api/v1/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      streams.add(res)
      send(res, 'status', { phase: view.phase, message: view.message })
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
