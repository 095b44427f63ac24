import { setTimeout as sleep } from 'node:timers/promises'
import type { Live } from '../../src/bench/load.js'
import type { Check, Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'

/** v2's share of 500s unless --error-rate says otherwise. */
const defaultErrorRate = 0.1

/**
 * The analysis of ramp's own measurements: v2's success rate over 1 s windows, judged every
 * second, aborting at the first failed measurement; 20 v2 requests make a window count.
 */
const config = (v1: string): string => `
stable: { name: v1, backends: ["${v1}"] }
readiness: { intervalMs: 100 }
analysis:
  templates:
    - name: canary-health
      interval: 1s
      window: 1s
      failureLimit: 0
      minRequests: 20
      metrics:
        - name: success-rate
          builtin: successRate
          thresholdRange: { min: 0.99 }
strategy:
  canary:
    analysis: { templates: [canary-health] }
    steps:
      - setWeight: 20
      - pause: {}
`

interface Status { phase: string; canary: { name: string } | null }

const canaryFails: Scenario = {
  description: 'a v2 that answers a share of its requests with 500 (--error-rate v2=<share>, default 0.1) is deployed at 20% under load with analysis on: the time until ramp aborts it, and the requests that failed for users',
  backends: { v2: { errorRate: defaultErrorRate } },
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const backends = await kit.backends(['v1', 'v2'])
    const { v1, v2 } = backends.urls as { v1: string; v2: string }
    const ramp = await kit.ramp(config(v1))
    await ramp.admin.until('ramp healthy on v1', '/api/v1/status', (s: Status) => s.phase === 'Healthy')
    let deployedAt: number | null = null
    let abortedAt: number | null = null
    let abortT: number | null = null
    const during = async (live: Live): Promise<void> => {
      // Traffic first, so that the canary is judged on real load from its first second.
      await sleep(500)
      live.mark('deploy v2')
      await ramp.admin.must('POST', '/api/v1/rollout', { version: { name: 'v2', backends: [v2] } })
      deployedAt = Date.now()
      const end = Date.now() + kit.duration * 1000 + 30_000
      while (Date.now() < end) {
        const s = await ramp.admin.get<Status>('/api/v1/status')
        if (s.phase === 'Aborted') { abortT = live.elapsed(); break }
        await sleep(50)
      }
      // A couple of seconds after the abort show that users stopped seeing errors.
      if (abortT !== null) await sleep(2000)
      live.stop()
    }
    const failedBy: Record<string, number> = {}
    const run = await kit.load({
      label: 'canary v2 failing under load', url: ramp.main, connections: kit.connections, duration: kit.duration + 40, ramp, during,
      onResponse: ({ status, version }) => { if (status < 200 || status > 299) failedBy[version] = (failedBy[version] ?? 0) + 1 },
    })
    const events = await ramp.admin.events()
    const start = events.findLast((e) => e.event === 'start')
    const abort = events.findLast((e) => e.event === 'abort' || e.to === 'Aborted')
    if (start !== undefined) deployedAt = Date.parse(start.at)
    if (abort !== undefined) abortedAt = Date.parse(abort.at)
    const timeToAbortMs = deployedAt !== null && abortedAt !== null ? abortedAt - deployedAt : null
    // The sample that holds the abort may still count requests that v2 answered before it.
    const late = abortT === null ? null : run.samples.filter((s) => s.t > Math.ceil(abortT ?? 0) + 1).reduce((a, s) => a + s.errors, 0)
    const failed = run.non2xx + run.errors
    const checks: Check[] = [
      { name: 'ramp aborted the failing canary by itself', ok: abortedAt !== null, detail: abort === undefined ? 'no abort recorded' : `${abort.event} by ${abort.actor}: ${abort.detail}` },
      { name: 'the abort was the analysis\' (not a person or a deadline)', ok: abort?.event === 'analysisResult', detail: abort === undefined ? 'none' : `event ${abort.event}, actor ${abort.actor}` },
      { name: 'no request failed once the abort had taken effect', ok: late === 0, detail: late === null ? 'no abort' : `${late} failures after the abort's second` },
      { name: 'failures came from v2 only (the demo backend\'s 500s; no connection errors)', ok: run.errors === 0 && Object.keys(failedBy).every((v) => v === 'v2'), detail: `non-2xx by version ${JSON.stringify(failedBy)}, ${run.errors} connection errors` },
    ]
    const spec = kit.backendSpec('v2')
    return {
      checks,
      tables: [{
        title: `canary-fails: v2 error rate ${spec.errorRate}, weight 20%, ${kit.connections} connections`,
        head: ['time to abort ms', 'responses', 'failed for users', 'failed share', 'v2 responses'],
        rows: [[timeToAbortMs === null ? 'not aborted' : String(timeToAbortMs), run.requests.toLocaleString('en-US'), String(failed), `${((failed / Math.max(run.requests, 1)) * 100).toFixed(3)}%`, String(run.versions.v2 ?? 0)]],
      }],
      figures: { errorRate: spec.errorRate, timeToAbortMs, failedForUsers: failed, failedAfterAbort: late, failedByVersion: failedBy, responses: run.requests, byVersion: run.versions, start, abort },
    }
  },
}

export default canaryFails
