import { setTimeout as sleep } from 'node:timers/promises'
import type { Live } from '../../src/bench/load.js'
import type { Check, Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'

const flips = 20
const weightChanges = 100

const flipUnderLoad: Scenario = {
  description: `${flips} blue/green flips, then ${weightChanges} canary weight changes, through the admin API during a 200-connection load: no request may fail`,
  connections: 200,
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const backends = await kit.backends(['v1', 'v2'])
    const { v1, v2 } = backends.urls as { v1: string; v2: string }
    const ramp = await kit.ramp(`stable: { name: v1, backends: ["${v1}"] }\ncanary: { name: v2, backends: ["${v2}"] }\nmode: blueGreen\nweight: 0\nreadiness: { intervalMs: 100 }\n`)
    await ramp.admin.until('v2 ready on the preview side', '/api/v1/status', (s: { canary: { name: string } | null }) => s.canary?.name === 'v2')
    const before = await backends.counts()
    const refused: string[] = []
    const call = async (method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> => {
      const res = await ramp.admin.send(method, path, body)
      if (res.status < 200 || res.status > 299) refused.push(`${method} ${path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`)
    }
    // The weights are drawn at random and kept in the figures. The changes are spread over --duration: 30% of it for the flips, 70% for the weights.
    const flipGap = (kit.duration * 300) / flips
    const weightGap = (kit.duration * 700) / weightChanges
    const weights: number[] = []
    let switchMs = 0
    const during = async (live: Live): Promise<void> => {
      await sleep(Math.min(500, flipGap))
      for (let i = 0; i < flips; i++) {
        await call('PUT', '/api/v1/weight', { weight: i % 2 === 0 ? 100 : 0 })
        await sleep(flipGap)
      }
      // From blue/green to a canary of the same v2: supersede the static flip with a rollout
      // that pauses at once, then move its weight by hand.
      live.mark('canary rollout of v2 (supersedes the blue/green split)')
      const t0 = Date.now()
      await call('POST', '/api/v1/rollout', { version: { name: 'v2', backends: [v2] }, strategy: { canary: { steps: [{ pause: {} }] } }, supersede: true })
      await ramp.admin.until('the v2 canary ready and paused', '/api/v1/rollout', (r: { canaryReady: boolean; phase: string }) => r.canaryReady && r.phase === 'Paused')
      switchMs = Date.now() - t0
      // Each weight differs from the one before (the canary starts at 0): setting the weight in
      // force is no change and records no event, which one run in a hundred drew by chance.
      let w = 0
      for (let i = 0; i < weightChanges; i++) {
        const last = w
        while (w === last) w = Math.round(Math.random() * 10000) / 100
        weights.push(w)
        await call('PUT', '/api/v1/weight', { weight: w })
        await sleep(weightGap)
      }
      live.stop()
    }
    const run = await kit.load({ label: `${flips} flips and ${weightChanges} weight changes`, url: ramp.main, connections: kit.connections, duration: kit.duration * 3 + 60, ramp, during })
    const after = await backends.counts()
    const events = await ramp.admin.events()
    const recorded = { setWeight: events.filter((e) => e.event === 'setWeight').length, starts: events.filter((e) => e.event === 'start').length }

    const served = (after.v1 ?? 0) - (before.v1 ?? 0) + (after.v2 ?? 0) - (before.v2 ?? 0)
    const gap = served - run.requests
    const checks: Check[] = [
      { name: 'no request failed during the flips and weight changes', ok: run.non2xx === 0 && run.errors === 0, detail: `${run.non2xx} non-2xx, ${run.errors} connection errors (${run.timeouts} timeouts) of ${run.requests} responses` },
      { name: `every admin call was accepted (${flips} flips, 1 rollout start, ${weightChanges} weights)`, ok: refused.length === 0, detail: refused.length === 0 ? 'all 2xx' : refused.slice(0, 3).join('; ') },
      { name: 'ramp recorded every change', ok: recorded.setWeight === flips + weightChanges, detail: `${recorded.setWeight} setWeight events; ${recorded.starts} rollout starts (the config's split, then the canary)` },
      { name: `the backends served what the load generator saw (up to ${kit.connections} in flight at the stop)`, ok: gap >= 0 && gap <= kit.connections, detail: `seen ${run.requests}, served ${served}` },
      { name: 'both versions served', ok: (run.versions.v1 ?? 0) > 0 && (run.versions.v2 ?? 0) > 0, detail: JSON.stringify(run.versions) },
    ]
    return {
      checks,
      tables: [{
        title: `flip-under-load: ${kit.connections} connections`,
        head: ['responses', 'req/s', 'p99 ms', 'p99.9 ms', 'non-2xx', 'errors', 'flips', 'weight changes', 'switch to canary ms'],
        rows: [[run.requests.toLocaleString('en-US'), Math.round(run.rps).toLocaleString('en-US'), run.p99.toFixed(2), run.p999.toFixed(2), String(run.non2xx), String(run.errors), String(flips), String(weightChanges), String(switchMs)]],
      }],
      figures: { flips, weightChanges, weights, refused, switchToCanaryMs: switchMs, errors: run.errors, non2xx: run.non2xx, recorded },
    }
  },
}

export default flipUnderLoad
