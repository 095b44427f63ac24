import { originsOf } from './backend-url.js'
import { durationMs } from './duration.js'
import type { Problem } from './problems.js'
import { analysisProblems } from './analysis-semantic.js'
import { shapingProblems } from './shaping-semantic.js'
import type { RawConfig, VersionSpec } from './schema.js'
import { quote } from '../errors.js'

export function versionProblems(v: VersionSpec, path: string): Problem[] {
  const out: Problem[] = []
  const seen = new Set<string>()
  v.backends.forEach((b, i) => {
    const { origin } = originsOf(b)
    if (seen.has(origin)) out.push({ path: `${path}.backends[${i}]`, message: `${quote(b)} is listed twice` })
    seen.add(origin)
  })
  return out
}

/** Rules the JSON Schema cannot express. Runs only on a config that passed the schema. */
export function semanticProblems(c: RawConfig): Problem[] {
  const out: Problem[] = []
  out.push(...versionProblems(c.stable, 'stable'))
  if (c.canary !== undefined) {
    out.push(...versionProblems(c.canary, 'canary'))
    if (c.canary.name === c.stable.name) {
      out.push({ path: 'canary.name', message: `${quote(c.canary.name)} is also the stable version's name; versions need distinct names` })
    }
  }

  if (c.state.store === 'redis' && c.state.url === undefined) {
    out.push({ path: 'state.url', message: 'store: redis needs the server\'s URL, e.g. url: "redis://127.0.0.1:6379/0"' })
  }
  if (c.state.store !== 'redis') {
    for (const field of ['url', 'key', 'instance'] as const) {
      if (c.state[field] !== undefined) out.push({ path: `state.${field}`, message: `only read with store: redis (the store is ${c.state.store}); drop it or set store: redis` })
    }
  }

  const s = c.strategy
  if (s !== undefined) {
    if ((s.canary === undefined) === (s.blueGreen === undefined)) {
      out.push({ path: 'strategy', message: 'give exactly one of canary, blueGreen' })
    }
    const wanted = s.blueGreen !== undefined ? 'blueGreen' : 'canary'
    if (c.mode !== undefined && (s.canary === undefined) !== (s.blueGreen === undefined) && c.mode !== wanted) {
      out.push({ path: 'mode', message: `"${c.mode}" contradicts strategy.${wanted}; drop mode or make it "${wanted}"` })
    }
    s.canary?.steps.forEach((step, i) => {
      const keys = Object.keys(step)
      const at = `strategy.canary.steps[${i}]`
      // A step with several actions was split at load (argo-fields.ts); only an empty one is left to refuse.
      if (keys.length === 0) out.push({ path: at, message: 'is empty; give one of setWeight, pause, analysis, setHeaderRoute, setMirrorRoute' })
      if (step.pause?.duration !== undefined && durationMs(step.pause.duration) === undefined) {
        out.push({ path: `${at}.pause.duration`, message: `${quote(step.pause.duration)} is not a duration (500ms, 30s, 5m, 1h or seconds)` })
      }
    })
  }
  out.push(...analysisProblems(c))
  out.push(...shapingProblems(c))
  const mode = c.mode ?? (s?.blueGreen !== undefined ? 'blueGreen' : 'canary')
  if (mode === 'blueGreen' && c.weight !== 0 && c.weight !== 100) {
    out.push({ path: 'weight', message: `${c.weight} is a split; in blueGreen mode the weight is 0 (stable active) or 100 (canary active)` })
  }
  const ports = new Map<string, string>()
  for (const name of ['listen', 'preview', 'admin'] as const) {
    const l = c[name]
    if (l === undefined || l.port === 0) continue
    const other = ports.get(String(l.port))
    if (other !== undefined) out.push({ path: `${name}.port`, message: `${l.port} is also the ${other} port; each listener needs its own` })
    ports.set(String(l.port), name)
  }
  return out
}
