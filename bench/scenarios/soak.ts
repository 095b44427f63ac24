import type { Sample } from '../../src/bench/timeline.js'
import type { Check, Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'

const defaultRequests = 1_000_000
/** RSS after all the requests may exceed RSS after the first tenth by this much (the target). */
const rssBudget = 0.1

const mib = (b: number | null): string => (b === null ? 'n/a' : (b / 2 ** 20).toFixed(1))

/** ramp's reading in the first sample at or past `n` requests (samples are a second apart). */
const at = (samples: Sample[], n: number): Sample | undefined => samples.find((s) => s.requests >= n && s.rssBytes !== null)

const soak: Scenario = {
  description: `--requests (default ${defaultRequests.toLocaleString('en-US')}) through ramp at weight 20: its RSS and event-loop delay, read from its /metrics every second; RSS after a tenth and after all of them`,
  target: true,
  async run(kit: Kit): Promise<ScenarioResult> {
    const total = kit.requests ?? defaultRequests
    let counts: (() => Promise<Record<string, number>>) | null = null
    let ramp = kit.target
    if (ramp === null) {
      const backends = await kit.backends(['v1', 'v2'])
      const { v1, v2 } = backends.urls as { v1: string; v2: string }
      counts = () => backends.counts()
      ramp = await kit.ramp(`stable: { name: v1, backends: ["${v1}"] }\ncanary: { name: v2, backends: ["${v2}"] }\nweight: 20\nreadiness: { intervalMs: 100 }\n`)
      await ramp.admin.until('canary v2 routed', '/api/v1/status', (s: { canary: { name: string } | null }) => s.canary?.name === 'v2')
    }
    const before = counts === null ? null : await counts()
    const run = await kit.load({ label: `soak: ${total.toLocaleString('en-US')} requests`, url: ramp.main, connections: kit.connections, amount: total, ramp })
    const after = counts === null ? null : await counts()
    const end = await kit.reading(ramp)

    const tenth = Math.ceil(total / 10)
    const early = at(run.samples, tenth)
    const rssEarly = early?.rssBytes ?? null
    const rssLate = end.rssBytes
    const ratio = rssEarly === null || rssLate === null ? null : rssLate / rssEarly
    const lags = run.samples.map((s) => s.eventLoopP99Ms).filter((x): x is number => x !== null)
    const lagMean = lags.length === 0 ? null : lags.reduce((a, b) => a + b, 0) / lags.length
    const lagMax = lags.length === 0 ? null : Math.max(...lags)
    const checks: Check[] = [
      { name: 'no request failed', ok: run.non2xx === 0 && run.errors === 0, detail: `${run.non2xx} non-2xx, ${run.errors} connection errors` },
      { name: 'ramp\'s RSS was read during the run', ok: rssEarly !== null && rssLate !== null, detail: `${lags.length} event-loop readings` },
    ]
    if (before !== null && after !== null) {
      const served = Object.keys(after).reduce((a, k) => a + (after[k] ?? 0) - (before[k] ?? 0), 0)
      checks.push({ name: 'the backends served exactly the requests sent', ok: served === run.requests, detail: `sent ${run.requests}, served ${served}` })
    }
    return {
      checks,
      tables: [{
        title: `soak: ${total.toLocaleString('en-US')} requests, ${kit.connections} connections; target: RSS after all within ${rssBudget * 100}% of RSS after a tenth`,
        head: ['responses', 'seconds', `RSS after ${tenth.toLocaleString('en-US')} MiB`, `RSS after ${run.requests.toLocaleString('en-US')} MiB`, 'ratio', 'target', 'event-loop p99 mean ms', 'max ms'],
        rows: [[run.requests.toLocaleString('en-US'), run.seconds.toFixed(1), mib(rssEarly), mib(rssLate), ratio === null ? 'n/a' : ratio.toFixed(3), ratio === null ? 'n/a' : Math.abs(ratio - 1) <= rssBudget ? 'met' : 'not met', lagMean === null ? 'n/a' : lagMean.toFixed(2), lagMax === null ? 'n/a' : lagMax.toFixed(2)]],
      }],
      figures: {
        requests: total, rssAfterTenthBytes: rssEarly, rssAfterAllBytes: rssLate, rssRatio: ratio, rssTargetMet: ratio === null ? null : Math.abs(ratio - 1) <= rssBudget,
        eventLoopP99MeanMs: lagMean, eventLoopP99MaxMs: lagMax,
        eventLoopSource: 'ramp_process_nodejs_eventloop_lag_p99_seconds from ramp\'s /metrics (a 10 ms timer\'s intervals, started over at each scrape, one scrape a second)',
      },
    }
  },
}

export default soak
