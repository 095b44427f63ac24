import { setTimeout as sleep } from 'node:timers/promises'
import type { Live } from '../../src/bench/load.js'
import type { Check, Kit, Scenario, ScenarioResult, TextTable } from '../../src/bench/scenario.js'

const weights = [5, 20, 50, 90]
const users = 1000
const userHeader = 'x-bench-user'
/** A weight is held for --duration seconds and until this many responses were counted at it (a slow start must not leave a weight unmeasured). */
const minResponses = 100

interface Mode { name: string; config: string; sticky: boolean }

const modes: Mode[] = [
  { name: 'random', config: '', sticky: false },
  { name: 'balance: exact', config: 'balance: exact\n', sticky: false },
  { name: `stickiness by ${userHeader} (${users} users)`, config: `stickiness: { header: ${userHeader} }\n`, sticky: true },
]

interface Phase { weight: number; versions: Record<string, number>; seen: number }

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`

const split: Scenario = {
  description: `observed v2 share against the weight (${weights.join(', ')}%), each weight held for --duration seconds (and ${minResponses} responses), with a random pick, with balance: exact and with sticky users`,
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const backends = await kit.backends(['v1', 'v2'])
    const { v1, v2 } = backends.urls as { v1: string; v2: string }
    const c = kit.connections
    const rows: string[][] = []
    const checks: Check[] = []
    const figures: Record<string, unknown>[] = []
    // The three start together (their start-up overlaps) and are loaded one at a time.
    const ramps = await Promise.all(modes.map((mode) => kit.ramp(`stable: { name: v1, backends: ["${v1}"] }\ncanary: { name: v2, backends: ["${v2}"] }\nweight: ${weights[0]}\nreadiness: { intervalMs: 100 }\n${mode.config}`)))
    for (const [m, mode] of modes.entries()) {
      const ramp = ramps[m]!
      await ramp.admin.until('canary v2 routed', '/api/v1/status', (s: { canary: { name: string } | null }) => s.canary?.name === 'v2')
      const before = await backends.counts()
      const phases: Phase[] = []
      let current: Phase | null = null
      // Per sticky user, the version of each phase: a user must keep one version while the
      // weight holds, and a raised weight may move users to v2 only, never back.
      const byUser = new Map<string, Map<number, Set<string>>>()
      let seen = 0
      const during = async (live: Live): Promise<void> => {
        for (const w of weights) {
          await ramp.admin.must('PUT', '/api/v1/weight', { weight: w })
          live.mark(`weight ${w}`)
          current = { weight: w, versions: {}, seen: 0 }
          phases.push(current)
          const phase = current
          const endAt = live.elapsed() + kit.duration
          const giveUpAt = endAt + 30
          while (live.elapsed() < giveUpAt && (live.elapsed() < endAt || phase.seen < c + minResponses)) await sleep(50)
        }
        live.stop()
      }
      const run = await kit.load({
        label: `split, ${mode.name}`,
        url: ramp.main,
        connections: c,
        duration: weights.length * kit.duration + 60,
        ramp,
        ...(mode.sticky ? { user: { header: userHeader, count: users } } : {}),
        onResponse: ({ version, user }) => {
          seen++
          const p = current
          if (p === null) return
          // The first `connections` responses after a change may have been routed before it.
          if (++p.seen <= c) return
          p.versions[version] = (p.versions[version] ?? 0) + 1
          if (user !== null) {
            let phasesOfUser = byUser.get(user)
            if (phasesOfUser === undefined) byUser.set(user, phasesOfUser = new Map<number, Set<string>>())
            const i = phases.length - 1
            let set = phasesOfUser.get(i)
            if (set === undefined) phasesOfUser.set(i, set = new Set<string>())
            set.add(version)
          }
        },
        during,
      })
      const after = await backends.counts()
      await ramp.stop()

      for (const p of phases) {
        const n = (p.versions.v1 ?? 0) + (p.versions.v2 ?? 0)
        const others = Object.entries(p.versions).filter(([k]) => k !== 'v1' && k !== 'v2')
        const share = (p.versions.v2 ?? 0) / Math.max(n, 1)
        const w = p.weight / 100
        // exact: smooth weighted round robin is off by less than one pick at any point; the
        // responses counted here may differ from the picks of their window by the requests in
        // flight at each end. random: 4 binomial standard deviations. sticky: which users
        // hash below the weight is a draw over the users, and which users send the requests
        // a draw over the responses: 4 standard deviations of both together.
        const band = mode.name.startsWith('balance')
          ? (2 + 2 * c) / Math.max(n, 1)
          : 4 * Math.sqrt(w * (1 - w) * (1 / Math.max(n, 1) + (mode.sticky ? 1 / users : 0)))
        const shareSum = n === 0 ? 0 : ((p.versions.v1 ?? 0) + (p.versions.v2 ?? 0)) / (n + others.reduce((a, [, k]) => a + k, 0))
        rows.push([mode.name, `${p.weight}%`, n.toLocaleString('en-US'), pct(share), `±${pct(band)}`, pct(share - w), Math.abs(share - w) <= band ? 'ok' : 'OFF'])
        checks.push({ name: `${mode.name}, weight ${p.weight}%: v2 share`, ok: n > 0 && Math.abs(share - w) <= band, detail: `${pct(share)} of ${n} responses, band ±${pct(band)}` })
        checks.push({ name: `${mode.name}, weight ${p.weight}%: v1 and v2 shares sum to 1`, ok: n > 0 && shareSum === 1, detail: `responses from other versions: ${JSON.stringify(Object.fromEntries(others))}` })
        figures.push({ mode: mode.name, weight: p.weight, responses: n, v2Share: share, v1Share: (p.versions.v1 ?? 0) / Math.max(n, 1), band })
      }
      if (mode.sticky) {
        let flapped = 0
        let movedBack = 0
        for (const perPhase of byUser.values()) {
          for (const [i, set] of perPhase) {
            if (set.size > 1) flapped++
            const next = perPhase.get(i + 1)
            const raised = (phases[i + 1]?.weight ?? 0) > (phases[i]?.weight ?? 0)
            if (raised && set.has('v2') && next?.has('v1') === true) movedBack++
          }
        }
        checks.push({ name: 'sticky: a user keeps one version while the weight holds', ok: flapped === 0, detail: `${flapped} user-phases saw both versions, of ${byUser.size} users` })
        checks.push({ name: 'sticky: raising the weight moves users from v1 to v2 only', ok: movedBack === 0, detail: `${movedBack} users went back to v1` })
      }
      const served = { v1: (after.v1 ?? 0) - (before.v1 ?? 0), v2: (after.v2 ?? 0) - (before.v2 ?? 0) }
      const gap = served.v1 + served.v2 - seen
      checks.push({ name: `${mode.name}: the backends served what the load generator saw (up to ${c} in flight at the stop)`, ok: gap >= 0 && gap <= c && run.versions.none === undefined, detail: `seen ${seen} (${JSON.stringify(run.versions)}), served ${JSON.stringify(served)}` })
      checks.push({ name: `${mode.name}: no errors`, ok: run.non2xx === 0 && run.errors === 0, detail: `${run.non2xx} non-2xx, ${run.errors} connection errors` })
    }
    const table: TextTable = { title: `split: ${c} connections, each weight held ${kit.duration} s (the first ${c} responses after a change not counted)`, head: ['mode', 'weight', 'responses', 'v2 share', 'band', 'off by', ''], rows }
    return { checks, tables: [table], figures: { weights, users, phases: figures } }
  },
}

export default split
