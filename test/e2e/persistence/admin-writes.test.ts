import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { kill9 } from '../../support/world/process.js'
import { world } from '../../support/world/world.js'

test('a promote that answered 200 survives a kill -9 sent right after the answer', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const config = release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 50', 'pause: {}', 'setWeight: 100'] })
  const first = await world(t, { config, process: true })
  await first.eventually('Paused', 'CanaryPauseStep', 8000)

  const res = await first.admin.promote()
  // Killed before anything else runs: only what was durable when the answer left survives.
  first.proc.child.kill('SIGKILL')
  assert.equal(res.status, 200)
  assert.equal(`${res.body.phase}/${res.body.reason}`, 'Healthy/Promoted', 'promote answered')
  await first.proc.exit

  const second = await first.restart()
  const after = await second.rollout()
  assert.equal(`${after.phase}/${after.reason}`, 'Healthy/Promoted', 'after the restart')
  assert.equal(after.revision, res.body.revision)
  assert.equal(after.stable.name, 'v2', 'the stored state wins over the config, which still names v1 stable')
  assert.equal(after.canary, null)
  assert.deepEqual(await second.count(50), { v2: 50 })
})

test('the event history from before a kill -9 is still there after the restart, and grows from it', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const config = release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 20', 'pause: {}', 'setWeight: 50', 'pause: {}', 'setWeight: 100'] })
  const first = await world(t, { config, process: true })
  await first.eventually('Paused', 'CanaryPauseStep', 8000)
  assert.equal((await first.admin.promote()).status, 200)
  const before = await first.history()
  assert.ok(before.length >= 3, `expected start, ready and promote in ${JSON.stringify(before)}`)
  assert.ok(before.some((e) => e.event === 'promote'), 'the promote is in the history')

  await kill9(first.proc)
  const second = await first.restart()
  assert.deepEqual(await second.history(), before)

  assert.equal((await second.admin.promote()).status, 200)
  const grown = await second.history()
  assert.deepEqual(grown.slice(0, before.length), before)
  assert.deepEqual(grown.slice(before.length).map((e) => e.event), ['promote'])
})
