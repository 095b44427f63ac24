import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'
import { cli, said } from '../cli/run.js'
import { at } from '../cli/support.js'

// Found as a person editing `weight: 40` to `weight: 20` and restarting: ramp resumed the
// stored 40 and said nothing, so the file looked ignored.
test('a restart whose config differs from the stored state says what differs, that the state wins and how to reset: in the log, the rollout view and ramp status', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const first = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 40 }), process: true })
  assert.equal((await first.routed()).weight, 40)
  await first.stop()
  first.writeConfig(release({ v1: v1.url, v2: v2.url, weight: 20 }))

  const second = await first.restart()
  const view = await second.routed()
  assert.equal(view.weight, 40, 'the stored state wins')
  assert.deepEqual(view.stateVsConfig, [{ field: 'weight', config: '20', state: '40' }])
  const line = second.logs().find((l) => l.level === 40 && /differs from the configuration/.test(l.msg))
  assert.ok(line, second.proc.stdout())
  assert.match(line.msg, /the state wins .*weight: the config says 20, the state 40\. To start from the configuration instead, restart with `ramp serve --reset-state`/)

  const status = await cli(t, at(second, 'status'))
  assert.equal(status.code, 0, said(status))
  assert.match(status.stdout, /State vs config \(the stored state won at start\):\n {2}weight {5}config: 20\n {13}state: {2}40\n {2}to start from the config: restart with `ramp serve --reset-state`/)

  // Once a person changes the rollout, the state is theirs: nothing to report.
  assert.equal((await second.admin.setWeight(30)).status, 200)
  assert.deepEqual((await second.rollout()).stateVsConfig, [])
  await second.stop()

  const reset = await second.restart({ flags: ['--reset-state'] })
  const fresh = await reset.routed()
  assert.equal(fresh.weight, 20)
  assert.deepEqual(fresh.stateVsConfig, [])
})

test('a restart on the config it started with reports no difference', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const first = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 40', 'pause: {}'] }), process: true })
  await first.eventually('Paused', 'CanaryPauseStep')
  await first.stop()
  const second = await first.restart()
  assert.deepEqual((await second.rollout()).stateVsConfig, [])
  assert.equal(second.logs().filter((l) => /differs from the configuration/.test(l.msg)).length, 0)
})
