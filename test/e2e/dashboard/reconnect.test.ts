import assert from 'node:assert/strict'
import { test } from 'node:test'
import { open } from '../../support/browser.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { freePort } from '../../support/world/ports.js'
import { world } from '../../support/world/world.js'

test('the page says "reconnecting" while ramp is down, shows no figure as live, and recovers after ramp restarts', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  // The admin port is fixed so that the restarted ramp is at the page's origin again.
  const admin = await freePort()
  const w = await world(t, { process: true, config: release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 30', 'pause: {}'], more: `admin: { port: ${admin} }` }) })
  await w.eventually('Paused', 'CanaryPauseStep')
  const { page, foreign, shot } = await open(t, w.urls.admin)
  await page.locator('#link[data-state="live"]').waitFor()
  await page.locator('#phase .word', { hasText: 'Paused' }).waitFor()

  await w.stop()
  await page.locator('#link[data-state="reconnecting"]').waitFor({ timeout: 5000 })
  assert.match(await page.locator('#link').innerText(), /reconnecting to ramp… the figures below are from \d\d:\d\d:\d\d and not live/)
  assert.equal(await page.locator('body.stale').count(), 1)
  assert.match(await page.locator('#traffic-state').innerText(), /Not live/)
  assert.equal(await page.locator('[data-verb="promote"]').isDisabled(), true)
  assert.equal(await page.locator('#why-promote').innerText(), "ramp's admin API is not answering")
  await shot('reconnecting-1280x800')

  const again = await w.restart()
  await again.eventually('Paused', 'CanaryPauseStep')
  await page.locator('#link[data-state="live"]').waitFor({ timeout: 10_000 })
  assert.equal(await page.locator('body.stale').count(), 0)
  await page.locator('[data-verb="promote"]:not([disabled])').waitFor()
  // The page reads everything again: the history the new process has, the phase it resumed.
  assert.match(await page.locator('#history').innerText(), /ready by ramp/)
  await again.admin.promote()
  await page.locator('#steps li[data-state="done"]', { hasText: 'pause: {}' }).or(page.locator('#phase .word', { hasText: 'Healthy' })).first().waitFor({ timeout: 5000 })
  assert.deepEqual(foreign, [])
})
