import type { Check, Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'

/** Requests per second offered through ramp while /metrics is read: one due every half millisecond. */
const rate = 2000
const connections = 20
/** A read every 70-130 ms: far enough apart that a control window before each one holds no read. */
const readGapMs = [70, 130] as const
/** Each read's control window: as long as the read, this much earlier. */
const controlOffsetMs = 40
/** Back-to-back reads with no load, for the main thread's CPU per read. */
const cpuReads = 300
/** The target for the stall a read causes. */
const targetMs = 1

const config = (v1: string, v2: string): string => `
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
weight: 20
readiness: { intervalMs: 100 }
`

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const ms = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2))

/**
 * What a /metrics read costs the requests ramp is proxying. A paced load (an open loop, each
 * request's latency timed from when it was due) runs through ramp while the bench reads
 * /metrics every ~100 ms. A request due while a read holds ramp's event loop waits for it.
 * Per read, the worst latency of the requests due during it is set against the worst of those
 * due in a window as long, 40 ms earlier, when nothing was read: the machine's own noise, and
 * the max of as many draws. What the read adds over its control window is its stall. Before
 * that, the CPU ramp's main thread spends per read, reads alone.
 */
const metricsStall: Scenario = {
  description: `/metrics read every ~100 ms while ${rate.toLocaleString('en-US')} requests/s go through ramp: the stall each read causes the proxied requests (the worst latency of the requests due during the read, over that of a window as long just before it), and the main thread's CPU per read`,
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const backends = await kit.backends(['v1', 'v2'])
    const { v1, v2 } = backends.urls as { v1: string; v2: string }
    const ramp = await kit.ramp(config(v1, v2))
    await ramp.admin.until('canary v2 at weight 20', '/api/v1/status', (s: { canary: { name: string } | null; weight: number }) => s.canary?.name === 'v2' && s.weight === 20)
    const pid = ramp.pid!

    // Series for both versions exist before anything is measured.
    await kit.load({ label: 'series for both versions', url: ramp.main, connections, duration: 1, pid })
    let bytes = 0
    for (let i = 0; i < 20; i++) bytes = (await ramp.admin.text('/metrics')).length
    const cpuBefore = kit.mainThreadCpuMs(pid)
    for (let i = 0; i < cpuReads; i++) await ramp.admin.text('/metrics')
    const cpuAfter = kit.mainThreadCpuMs(pid)
    const cpuPerReadMs = cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / cpuReads

    const responses: { due: number; latency: number }[] = []
    const reads: { from: number; to: number }[] = []
    let readErrors = 0
    const run = await kit.load({
      label: `${rate.toLocaleString('en-US')} req/s through ramp, /metrics read every ~100 ms`,
      url: ramp.main, connections, rate, duration: kit.duration, warmup: kit.warmup(2), pid,
      onResponse: ({ latencyMs }) => { const now = performance.now(); responses.push({ due: now - latencyMs, latency: latencyMs }) },
      during: async (live) => {
        while (live.elapsed() < kit.duration - 0.3) {
          await new Promise((r) => setTimeout(r, readGapMs[0] + Math.random() * (readGapMs[1] - readGapMs[0])))
          const from = performance.now()
          const text = await ramp.admin.text('/metrics').catch(() => null)
          if (text === null || !text.includes('ramp_requests_total')) readErrors++
          else reads.push({ from, to: performance.now() })
        }
      },
    })

    const inside = (t: number, w: { from: number; to: number }, shift = 0): boolean => t >= w.from - shift && t <= w.to - shift
    const outside = responses.filter((r) => !reads.some((w) => inside(r.due, w) || inside(r.due, w, controlOffsetMs)))
    const median = quantile(outside.map((r) => r.latency), 0.5) ?? 0
    // Per read: the worst latency of the requests due during it and of those due in its
    // control window, each less the median; reads with no request due in either are left out.
    const worstIn = (w: { from: number; to: number }, shift: number): number | null => {
      const due = responses.filter((r) => inside(r.due, w, shift))
      return due.length === 0 ? null : Math.max(...due.map((r) => r.latency)) - median
    }
    const pairs = reads.flatMap((w) => {
      const [during, control] = [worstIn(w, 0), worstIn(w, controlOffsetMs)]
      return during === null || control === null ? [] : [{ during, control }]
    })
    // The stall: what a read adds to the worst latency of its window, over the same window with no read.
    const stalls = pairs.map((p) => Math.max(0, p.during - p.control))
    const stall = { p50: quantile(stalls, 0.5), max: quantile(stalls, 1) }
    const during = { p50: quantile(pairs.map((p) => p.during), 0.5), max: quantile(pairs.map((p) => p.during), 1) }
    const control = { p50: quantile(pairs.map((p) => p.control), 0.5), max: quantile(pairs.map((p) => p.control), 1) }
    const readMs = quantile(reads.map((w) => w.to - w.from), 0.5)
    const met = stall.p50 !== null && stall.p50 < targetMs

    const checks: Check[] = [
      { name: 'no request failed', ok: run.non2xx === 0 && run.errors === 0, detail: `${run.non2xx} non-2xx, ${run.errors} connection errors` },
      { name: 'every /metrics read answered with ramp\'s metrics', ok: readErrors === 0 && reads.length > 0, detail: `${reads.length} reads, ${readErrors} failed` },
    ]
    if (run.cpu !== null && run.cpu.others > 0.2) kit.say(`note: other processes used ${run.cpu.others.toFixed(2)} cores during the run; the control windows show how much of the stall is theirs`)
    return {
      checks,
      tables: [{
        title: `metrics-stall: ${rate.toLocaleString('en-US')} req/s offered over ${connections} connections, ${kit.duration} s, /metrics (${(bytes / 1024).toFixed(1)} KiB) read every ~100 ms; latencies less the median (${ms(median)} ms); stall = worst latency of the requests due during a read less that of a window as long ${controlOffsetMs} ms before it; target: under ${targetMs} ms`,
        head: ['reads', 'main-thread CPU per read ms', 'read takes ms (p50)', 'stall p50 ms', 'stall max ms', 'worst during reads p50 / max ms', 'worst in control windows p50 / max ms', 'target (p50)'],
        rows: [[String(pairs.length), ms(cpuPerReadMs), ms(readMs), ms(stall.p50), ms(stall.max), `${ms(during.p50)} / ${ms(during.max)}`, `${ms(control.p50)} / ${ms(control.max)}`, met ? 'met' : 'not met']],
      }],
      figures: { rate, connections, reads: pairs.length, metricsBytes: bytes, cpuPerReadMs, readMsP50: readMs, medianLatencyMs: median, stallMs: stall, worstDuringReadsMs: during, worstInControlWindowsMs: control, targetMs, met, othersCpu: run.cpu?.others ?? null },
    }
  },
}

export default metricsStall
