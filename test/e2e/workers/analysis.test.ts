import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { test, type TestContext } from 'node:test'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const intervalMs = 1000
const windowMs = 3000
/** ramp's measurement slots: a window is read in whole ones. */
const slotMs = 1000

// A 3 s window measured every second: ten canary requests in it (200 requests/s at 5%) are
// enough, which a loaded 2-core machine still sends.
const templates = `analysis:
  templates:
    - name: canary-health
      interval: ${intervalMs / 1000}s
      window: ${windowMs / 1000}s
      count: 10
      failureLimit: 1
      inconclusiveLimit: 2
      minRequests: 10
      metrics:
        - { name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }`
const steps = ['setWeight: 5', 'analysis: { templates: [canary-health] }', 'setWeight: 100']

/**
 * The canary's draws: every tenth is below the fail rate of 0.1. So any ten of its requests
 * in a row hold one failure, and a window of at least minRequests (10) fails the 0.99 bound
 * whatever the pace of the traffic: the time to abort depends on the analysis, not on luck.
 */
function everyTenth(): () => number {
  let n = 0
  return () => (++n % 10 === 0 ? 0 : 0.5)
}

/** From the start of the analysis run to its verdict, by ramp's own clock, with `workers` data planes (one process at 1, as at 2). */
async function timeToAbort(t: TestContext, workers: number): Promise<{ ms: number; message: string }> {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 0.1, random: everyTenth() })
  const w = await world(t, { config: release({ v1: v1.url, steps, more: templates }), process: true, workers })
  // The rollout starts once every worker serves and the load runs, so that the analysis is
  // not timed from before the data planes were up.
  const traffic = w.load({ connections: 32 })
  await delay(300)
  const started = await w.admin.deploy({ name: 'v2', backends: [v2.url] })
  assert.equal(started.status, 201, JSON.stringify(started.body))
  await w.until('the rollout to end', (v) => ['Aborted', 'Paused', 'Healthy'].includes(v.phase), 20_000)
  await traffic.stop()
  const r = await w.rollout()
  assert.equal(`${r.phase}/${r.reason}`, 'Aborted/AnalysisFailed', r.message)
  const run = r.analysis.last[0]
  assert.ok(run !== undefined && r.analysis.lastVerdict !== null, JSON.stringify(r.analysis))
  const ms = Date.parse(r.analysis.lastVerdict.at) - Date.parse(run.startedAt)
  // The deciding measurement counted every canary response of its window, whichever worker
  // served it: at least those the client saw well inside it, at most those the whole slots it
  // reads could hold (it starts up to a slot early); 100 ms either way for the trip back.
  const deciding = run.templates[0]?.measurements['success-rate']?.at(-1)
  assert.ok(deciding !== undefined && deciding.sampleSize !== null, JSON.stringify(run))
  const canary = traffic.seen.filter((s) => s.version === 'v2').map((s) => s.at)
  const from = deciding.at - windowMs
  const inside = canary.filter((at) => at >= from + 100 && at <= deciding.at - 100).length
  const slots = canary.filter((at) => at >= Math.floor(from / slotMs) * slotMs - 100 && at <= deciding.at + 100).length
  t.diagnostic(`workers: ${workers}: aborted ${ms} ms after the analysis started, ${traffic.seen.length} requests; ${inside}..${slots} canary responses in the deciding window: ${r.message}`)
  assert.ok(deciding.sampleSize >= inside && deciding.sampleSize <= slots, `the deciding window counted ${deciding.sampleSize} canary requests, the client saw ${inside}..${slots}`)
  return { ms, message: r.message }
}

test('a canary failing 10% of its requests at 5% weight is aborted by analysis over both workers, no slower than with one process', async (t) => {
  const one = await timeToAbort(t, 1)
  const two = await timeToAbort(t, 2)
  assert.match(two.message, /canary-health failed: success-rate 0\.\d+ < 0\.99 over \d+ requests/)
  // Each worker reports its rows every second and when a measurement asks for them: the
  // host's verdict may come one interval later than one process's, never more (plus 2 s for
  // the scheduling of a loaded 2-core machine).
  assert.ok(two.ms <= one.ms + intervalMs + 2000, `aborted after ${two.ms} ms with 2 workers, ${one.ms} ms with 1`)
})
