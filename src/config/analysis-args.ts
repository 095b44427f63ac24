import { createHash } from 'node:crypto'
import type { Problem } from './problems.js'
import { isMapping } from './is-mapping.js'

/**
 * Argo's analysis `args`: a reference gives values (`args: [{ name: service, value: shop }]`)
 * that fill the `{{args.service}}` placeholders of the templates it names. ramp resolves them
 * once, at load: each template run with args becomes a derived template (`name.args-<hash>`,
 * the same values giving the same one) and the reference names it, so the engine and the
 * analysis runner only ever see plain templates. A template with placeholders that nothing
 * fills is reported; one only ever run with args is replaced by its derived copies.
 */
const placeholder = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g


interface Ref {
  at: string
  ref: Record<string, unknown>
}

/** Every analysis reference of a strategy, with its path. */
function analysisRefs(strategy: unknown): Ref[] {
  const out: Ref[] = []
  const add = (ref: unknown, at: string): void => {
    if (isMapping(ref)) out.push({ at, ref })
  }
  if (!isMapping(strategy)) return out
  const c = strategy.canary
  if (isMapping(c)) {
    add(c.analysis, 'strategy.canary.analysis')
    if (Array.isArray(c.steps)) c.steps.forEach((s, i) => isMapping(s) && add(s.analysis, `strategy.canary.steps[${i}].analysis`))
  }
  const bg = strategy.blueGreen
  if (isMapping(bg)) {
    add(bg.prePromotionAnalysis, 'strategy.blueGreen.prePromotionAnalysis')
    add(bg.postPromotionAnalysis, 'strategy.blueGreen.postPromotionAnalysis')
  }
  return out
}

const refName = (t: unknown): string | undefined => (typeof t === 'string' ? t : isMapping(t) && typeof t.templateName === 'string' ? t.templateName : undefined)

/** A string that is one placeholder and nothing else takes a number's type when the value reads as one (a threshold). */
function substitute(value: unknown, args: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const out = value.replace(placeholder, (whole, name: string) => args.get(name) ?? whole)
    const whole = new RegExp(`^${placeholder.source}$`).test(value)
    return whole && out.trim() !== '' && Number.isFinite(Number(out)) ? Number(out) : out
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, args))
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, args)]))
  return value
}

function placeholders(value: unknown): string[] {
  const text = JSON.stringify(value) ?? ''
  return [...new Set([...text.matchAll(placeholder)].map((m) => m[1] ?? ''))]
}

/** Reads each reference's `args` into `values`, reporting the ones ramp cannot resolve. */
function readArgs(r: Ref, problems: Problem[]): Map<string, string> | undefined {
  const raw = r.ref.args
  if (raw === undefined) return undefined
  delete r.ref.args
  const values = new Map<string, string>()
  if (!Array.isArray(raw)) {
    problems.push({ path: `${r.at}.args`, message: 'must be a list of { name, value }' })
    return values
  }
  raw.forEach((a, j) => {
    const at = `${r.at}.args[${j}]`
    if (!isMapping(a) || typeof a.name !== 'string') problems.push({ path: at, message: 'must be { name, value }' })
    else if (a.valueFrom !== undefined) problems.push({ path: `${at}.valueFrom`, message: 'ramp cannot read Kubernetes fields or pod hashes; give the value itself (value: ...)' })
    else if (typeof a.value !== 'string' && typeof a.value !== 'number' && typeof a.value !== 'boolean') problems.push({ path: `${at}.value`, message: `${a.name} has no value; give value: ...` })
    else values.set(a.name, String(a.value))
  })
  return values
}

/** Resolves every `args` of the strategy's analysis references, in place (see above). */
export function resolveAnalysisArgs(tree: Record<string, unknown>, problems: Problem[]): void {
  const analysis = tree.analysis
  const templates: unknown[] = isMapping(analysis) && Array.isArray(analysis.templates) ? analysis.templates : []
  const byName = new Map<string, Record<string, unknown>>()
  for (const t of templates) if (isMapping(t) && typeof t.name === 'string') byName.set(t.name, t)
  const derived = new Map<string, Record<string, unknown>>()
  const unresolved = new Set<string>()

  for (const r of analysisRefs(tree.strategy)) {
    const args = readArgs(r, problems)
    if (!Array.isArray(r.ref.templates)) continue
    r.ref.templates = (r.ref.templates as unknown[]).map((t, k) => {
      const name = refName(t)
      const template = name === undefined ? undefined : byName.get(name)
      if (name === undefined || template === undefined) return t
      const needed = placeholders(template)
      if (needed.length === 0) return t
      const missing = needed.filter((n) => args?.get(n) === undefined)
      if (missing.length > 0) {
        unresolved.add(name)
        problems.push({ path: `${r.at}.templates[${k}]`, message: `template ${name} uses ${missing.map((m) => `{{args.${m}}}`).join(', ')}; give ${missing.length === 1 ? 'it' : 'them'} in ${r.at}.args ([{ name: ${missing[0]}, value: ... }])` })
        return t
      }
      const used = new Map(needed.map((n) => [n, args?.get(n) ?? '']))
      const hash = createHash('sha256').update(JSON.stringify([name, ...used])).digest('hex').slice(0, 8)
      const copy = `${name}.args-${hash}`
      if (!derived.has(copy)) derived.set(copy, { ...(substitute(template, used) as Record<string, unknown>), name: copy })
      return copy
    })
  }
  if (derived.size === 0 || !isMapping(analysis)) return
  // A template with placeholders that only derived copies run would only fail its URL checks.
  analysis.templates = [
    ...templates.filter((t) => !isMapping(t) || placeholders(t).length === 0 || unresolved.has(String(t.name))),
    ...derived.values(),
  ]
}
