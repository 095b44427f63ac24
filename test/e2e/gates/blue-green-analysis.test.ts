import assert from 'node:assert/strict'
import { test } from 'node:test'
import { waitFor } from '../../support/world/eventually.js'
import { gated, patience } from './setup.js'

/** successRate >= 0.99 over at least 20 requests, four times, 500 ms apart. */
const health = {
  name: 'health', interval: '500ms', count: 4, minRequests: 20,
  // A loaded machine can leave one window short of minRequests; the verdict is the metric's.
  inconclusiveLimit: 2,
  metrics: [{ name: 'success', builtin: 'successRate', thresholdRange: { min: 0.99 } }],
}

const post = { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30, postPromotionAnalysis: { templates: ['health'] } } }
const pre = { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 30, prePromotionAnalysis: { templates: ['health'] } } }

// These run one after another: side by side, five load generators on a small machine starve
// each other below minRequests and the runs end Inconclusive.
test('blue/green: failing post-promotion analysis flips the main listener back to the old version', async (t) => {
  const { w } = await gated(t, { strategy: post, templates: [health], v2FailRate: 0.3 })
  const load = w.load({ connections: 8, maxMs: 30_000 })
  await w.routed()
  await waitFor('v2 to serve the main listener', () => load.seen.some((s) => s.version === 'v2'), patience)
  const aborted = await w.eventually('Aborted', 'AnalysisFailed')
  const abortedAt = Date.now()
  assert.match(aborted.abort?.message ?? '', /post-promotion analysis health failed: success 0\.\d+ < 0\.99 over \d+ requests/)
  assert.equal((await w.rollout()).routing.canary, null)
  await waitFor('requests sent after the flip back', () => load.seen.filter((s) => s.at > abortedAt + 50).length >= 100, patience)
  await load.stop()
  // A request in flight at the flip back may still finish on v2; one sent well after it may not.
  const after = load.seen.filter((s) => s.at > abortedAt + 50)
  assert.deepEqual([...new Set(after.map((s) => s.version))], ['v1'])
  assert.deepEqual(await w.count(200), { v1: 200 }, 'the old version serves everything again')
})

test('blue/green: passing post-promotion analysis promotes: v2 stable and Healthy, v1 kept for the scale-down window', async (t) => {
  const { w } = await gated(t, { strategy: post, templates: [health] })
  const load = w.load({ connections: 8, maxMs: 30_000 })
  await w.routed()
  const running = await w.eventually('Progressing', 'PostPromotionAnalysis')
  assert.equal(running.weight, 100)
  assert.equal((await w.rollout()).routing.stable, 'v1', 'the old version stays in the table for an instant flip back')
  const promoted = await w.eventually('Healthy', 'Promoted')
  assert.deepEqual([promoted.stable.name, promoted.previousStable?.name], ['v2', 'v1'], 'v2 stable once the analysis passed; v1 kept for the scale-down window')
  await load.stop()
  assert.deepEqual(await w.count(100), { v2: 100 })
})

test('blue/green: pre-promotion analysis judges preview traffic, and passing it flips', async (t) => {
  const { w } = await gated(t, { strategy: pre, templates: [health] })
  const load = w.load({ listener: 'preview', connections: 8, maxMs: 30_000 })
  await w.routed()
  const checking = await w.eventually('Progressing', 'PrePromotionAnalysis')
  assert.equal(checking.weight, 0)
  assert.deepEqual(checking.analysis.runs.map((r) => [r.kind, r.listener]), [['prePromotion', 'preview']])
  assert.deepEqual(await w.count(100), { v1: 100 }, 'no main traffic reaches v2 before the flip')

  await w.eventually('Healthy', 'Promoted')
  await load.stop()
  assert.equal((await w.rollout()).routing.stable, 'v2')
  assert.deepEqual(await w.count(100), { v2: 100 })
  const verdict = (await w.rollout()).analysis.lastVerdict
  assert.deepEqual({ kind: verdict?.kind, result: verdict?.result }, { kind: 'prePromotion', result: 'Successful' })
})

test('blue/green: with traffic on the main listener only, pre-promotion analysis has nothing to judge and nothing flips', async (t) => {
  const { w } = await gated(t, { strategy: pre, templates: [health] })
  const load = w.load({ connections: 8, maxMs: 30_000 })
  await w.routed()
  const paused = await w.eventually('Paused', 'InconclusiveAnalysis')
  assert.match(paused.message, /0 canary requests/)
  await load.stop()
  assert.equal((await w.rollout()).routing.weight, 0, 'not flipped')
})

test('blue/green: failing pre-promotion analysis aborts before the main listener ever reaches the new version', async (t) => {
  const { w } = await gated(t, { strategy: pre, templates: [health], v2FailRate: 0.3 })
  const preview = w.load({ listener: 'preview', connections: 8, maxMs: 30_000 })
  const main = w.load({ connections: 4, maxMs: 30_000 })
  await w.routed()
  const aborted = await w.eventually('Aborted', 'AnalysisFailed')
  assert.match(aborted.abort?.message ?? '', /pre-promotion analysis health failed/)
  await Promise.all([preview.stop(), main.stop()])
  assert.ok(preview.seen.some((s) => s.version === 'v2'))
  assert.deepEqual([...new Set(main.seen.map((s) => s.version))], ['v1'])
})
