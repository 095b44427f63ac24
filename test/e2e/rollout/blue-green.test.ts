import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canaryRouted } from '../../support/ramp.js'
import { given } from '../given.js'

const manual = (delay: number): string => `blueGreen:
  autoPromotionEnabled: false
  scaleDownDelaySeconds: ${delay}`

test('blue/green: before promotion the new version is reachable only on the preview listener', async (t) => {
  const { ramp, then } = await given(t, { strategy: manual(30) })
  await canaryRouted(ramp)
  await then.phase('Paused', 'BlueGreenPause')
  await then.mainServes('v1', 500)
  await then.previewServes('v2', 200)
})

test('blue/green: promotion flips all main traffic, and abort within the scale-down delay flips back', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: manual(30) })
  await canaryRouted(ramp)
  const flip = await when.promote()
  assert.equal(flip.status, 200)
  assert.equal(flip.body.reason, 'ScaleDownDelay')
  then.weight(100)
  await then.mainServes('v2', 500)
  assert.equal(ramp.tables.current.stable.name, 'v1', 'the old version is still in the table')

  const back = await when.verb('abort')
  assert.equal(back.status, 200)
  assert.equal(back.body.phase, 'Aborted')
  await then.mainServes('v1', 500)
})

test('blue/green: after the scale-down delay the old version leaves the table and the new one is stable', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: manual(1) })
  await canaryRouted(ramp)
  await when.promote()
  await then.eventually('Healthy', 'Promoted', 4000)
  assert.equal(ramp.tables.current.stable.name, 'v2')
  assert.equal(ramp.tables.current.canary, null)
  await then.mainServes('v2', 200)
  const abort = await when.verb('abort')
  assert.equal(abort.status, 409, 'nothing left to abort once the old version is gone')
})

test('blue/green: autoPromotionSeconds flips by itself after the wait', async (t) => {
  const { ramp, then } = await given(t, { strategy: 'blueGreen:\n  autoPromotionEnabled: false\n  autoPromotionSeconds: 1\n  scaleDownDelaySeconds: 30' })
  await canaryRouted(ramp)
  await then.phase('Paused', 'BlueGreenPause')
  await then.eventually('Progressing', 'ScaleDownDelay', 4000)
  await then.mainServes('v2', 200)
})
