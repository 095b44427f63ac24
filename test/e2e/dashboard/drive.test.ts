import assert from 'node:assert/strict'
import { test } from 'node:test'
import { open, sizes } from '../../support/browser.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

// The dashboard in Debian's chromium against a ramp with demo backends and an admin token:
// the page drives the release through its own buttons, asking for the token when the API
// answers 401.
const steps = ['setWeight: 20', 'pause: {}', 'setWeight: 50', 'pause: {}', 'setWeight: 100']

test('the dashboard shows the release and drives it: token prompt, promote, set weight, abort, errors as worded', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps }), env: { RAMP_ADMIN_TOKEN: 'sekret' } })
  await w.eventually('Paused', 'CanaryPauseStep')
  const { page, errors, foreign, shot } = await open(t, w.urls.admin)
  const text = (sel: string) => page.locator(sel).innerText()

  await page.locator('#phase .word', { hasText: 'Paused' }).waitFor()
  assert.equal(await text('#phase .reason'), '(CanaryPauseStep)')
  assert.match(await text('#steps [aria-current="step"]'), /pause: \{\} \(current: CanaryPauseStep\)/)
  assert.match(await text('#versions'), /v1 stable · weight 80%[\s\S]*v2 canary · weight 20%/)
  await page.locator('#link[data-state="live"]').waitFor()
  // A verb that does not apply is disabled with the API's reason beside it.
  const view = await w.rollout()
  assert.equal(await page.locator('[data-verb="resume"]').isDisabled(), true)
  assert.equal(await text('#why-resume'), view.notAllowed.resume)
  assert.equal(await page.locator('[data-verb="promote"]').isDisabled(), false)
  await shot('drive-paused-1280x800')
  assert.deepEqual(errors, [], 'no console error while the page loads')

  // The keyboard reaches the verbs.
  const reached = new Set<string>()
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab')
    reached.add(await page.evaluate<string>("document.activeElement?.dataset?.verb ?? ''"))
  }
  assert.ok(reached.has('promote') && reached.has('abort'), `Tab reached ${[...reached].join(', ')}`)

  // No token yet: promote answers 401 and the page asks; a wrong token is refused and asked again.
  await page.locator('[data-verb="promote"]').click()
  await page.locator('#token[open]').waitFor()
  assert.match(await text('#token-why'), /Promote needs the admin token: POST \/api\/v1\/rollout\/promote needs the admin token/)
  await page.fill('#token-input', 'wrong')
  await page.click('#token-ok')
  await page.locator('#token-why', { hasText: 'That token was not accepted' }).waitFor()
  assert.equal(await page.locator('#token[open]').count(), 1, 'the prompt is shown again')
  assert.equal((await w.rollout()).step, 1, 'nothing moved')
  await page.fill('#token-input', 'sekret')
  await page.click('#token-ok')
  await page.locator('#steps [aria-current="step"]', { hasText: 'setWeight: 50' }).or(page.locator('#steps [aria-current="step"]', { hasText: 'pause: {}' }).nth(0)).waitFor()
  await w.until('step 3 (the second pause)', (v) => v.step === 3)
  await page.locator('#steps li:nth-child(4)[aria-current="step"]').waitFor()
  assert.equal(await page.locator('#forget-token').isVisible(), true)

  // A change made elsewhere (another client) reaches the page through the event stream.
  const before = Date.now()
  const promoted = await w.admin.with({ authorization: 'Bearer sekret' }).promote()
  assert.equal(promoted.status, 200)
  await page.locator('#phase .word', { hasText: 'Healthy' }).waitFor({ timeout: 1000 })
  t.diagnostic(`the page showed the promotion ${Date.now() - before} ms after the call was sent`)

  // A new release from the page's form, then a weight set by hand moves the weight chart.
  await page.fill('#deploy-name', 'v3')
  await page.fill('#deploy-backends', v1.url)
  await page.click('[data-verb="start"]')
  await w.eventually('Paused', 'CanaryPauseStep')
  await page.locator('#phase .word', { hasText: 'Paused' }).waitFor()
  await page.fill('#weight-input', '35')
  await page.click('[data-verb="setWeight"]')
  await page.locator('#weight-routed', { hasText: '35%' }).waitFor()
  await page.locator('#figures-table tbody tr[data-weight="35"]').first().waitFor({ state: 'attached', timeout: 5000 })

  // Abort asks first: cancelled, nothing happens; confirmed, the page shows Aborted.
  await page.click('[data-verb="abort"]')
  await page.locator('#confirm[open]').waitFor()
  assert.match(await text('#confirm-text'), /Abort the rollout of v3\? v2 takes 100% of the traffic now/)
  await page.click('#confirm button[value="cancel"]')
  assert.equal((await w.rollout()).phase, 'Paused')
  await page.click('[data-verb="abort"]')
  await page.click('#confirm-ok')
  await page.locator('#phase .word', { hasText: 'Aborted' }).waitFor()
  await page.locator('[data-verb="retry"]:not([disabled])').waitFor()
  assert.equal(await page.locator('[data-verb="promote"]').isDisabled(), true)

  // An error from the API is shown as the API worded it.
  await page.fill('#deploy-name', 'v2')
  await page.fill('#deploy-backends', v1.url)
  await page.click('[data-verb="start"]')
  await page.locator('#action-error:not([hidden])').waitFor()
  assert.match(await text('#action-error'), /Deploy: start: version "v2" has the stable version's name; give the new version a distinct name \(RAMP_ERR_ADMIN_BAD_REQUEST\)/)
  assert.match(await text('#history'), /abort by admin: Paused → Aborted/)
  await shot('drive-aborted-1280x800')

  // Chromium logs every refused call; these are the three the test provoked, and there is no other.
  const refused = (status: string) => `Failed to load resource: the server responded with a status of ${status}`
  assert.deepEqual(errors, [refused('401 (Unauthorized)'), refused('401 (Unauthorized)'), refused('400 (Bad Request)')])
  assert.deepEqual(foreign, [], 'no request outside the admin origin')
})

test('at phone width the page fits the screen and keeps the phase, the verbs and a chart', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps, preview: true }) })
  await w.eventually('Paused', 'CanaryPauseStep')
  const { page, errors, foreign, shot } = await open(t, w.urls.admin, sizes.phone)
  await page.locator('#phase .word', { hasText: 'Paused' }).waitFor()
  await page.locator('[data-chart="share-main"] canvas').waitFor()
  await page.locator('[data-chart="rps-preview"] canvas').waitFor()
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`)
  assert.equal(await page.locator('[data-verb="promote"]').isVisible(), true)
  await shot('phone-390x844')
  assert.deepEqual(errors, [])
  assert.deepEqual(foreign, [])
})
