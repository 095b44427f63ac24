import { joinPath, type Problem } from './problems.js'
import { regexProblem } from './regex.js'
import type { RawConfig } from './schema.js'

type RawCondition = NonNullable<RawConfig['mirror']>['match'][number]

function stringMatchProblems(m: { exact?: string; prefix?: string; regex?: string }, at: string): Problem[] {
  const keys = Object.keys(m)
  if (keys.length !== 1) return [{ path: at, message: keys.length === 0 ? 'is empty; give one of exact, prefix, regex' : `has ${keys.join(' and ')}; give one of exact, prefix, regex` }]
  const why = m.regex === undefined ? undefined : regexProblem(m.regex)
  return why === undefined ? [] : [{ path: `${at}.regex`, message: why }]
}

function conditionProblems(c: RawCondition, at: string): Problem[] {
  const out: Problem[] = []
  if ((c.headerName === undefined) !== (c.headerValue === undefined)) out.push({ path: at, message: 'headerName and headerValue go together' })
  if ((c.queryName === undefined) !== (c.queryValue === undefined)) out.push({ path: at, message: 'queryName and queryValue go together' })
  if (c.headerValue !== undefined) out.push(...stringMatchProblems(c.headerValue, `${at}.headerValue`))
  if (c.queryValue !== undefined) out.push(...stringMatchProblems(c.queryValue, `${at}.queryValue`))
  for (const [name, m] of Object.entries(c.headers ?? {})) out.push(...stringMatchProblems(m, `${at}.headers.${name}`))
  if (Object.keys(c).length === 0) out.push({ path: at, message: 'is empty; give a header, query, path or method condition' })
  return out
}

const matchProblems = (list: RawCondition[] | undefined, at: string): Problem[] =>
  (list ?? []).flatMap((c, i) => conditionProblems(c, joinPath(joinPath(at, 'match'), i)))

/** Traffic-shaping rules the schema cannot say: one match kind, valid regexes, names that resolve. */
export function shapingProblems(c: RawConfig): Problem[] {
  const out: Problem[] = []
  const versions = new Set(['canary', 'stable', c.stable.name, ...(c.canary === undefined ? [] : [c.canary.name])])
  const names = new Set<string>()
  c.routes.forEach((r, i) => {
    const at = `routes[${i}]`
    if (names.has(r.name)) out.push({ path: `${at}.name`, message: `"${r.name}" names another route too` })
    names.add(r.name)
    out.push(...matchProblems(r.match, at))
    if (!versions.has(r.version)) out.push({ path: `${at}.version`, message: `"${r.version}" is not canary, stable, or a configured version (${[...versions].slice(2).join(', ')}); routes to versions deployed later name canary` })
  })
  if (c.mirror !== undefined) out.push(...matchProblems(c.mirror.match, 'mirror'))
  const s = c.stickiness
  if (s !== undefined) {
    const kinds = (['cookie', 'header', 'clientAddress'] as const).filter((k) => s[k] !== undefined)
    if (kinds.length !== 1) out.push({ path: 'stickiness', message: kinds.length === 0 ? 'is empty; give one of cookie, header, clientAddress' : `has ${kinds.join(' and ')}; give one sticky key` })
  }
  out.push(...stepShapingProblems(c.strategy, 'strategy'))
  return out
}

/** The match conditions of header and mirror route steps (also checked for a strategy sent to the admin API). */
export function stepShapingProblems(strategy: RawConfig['strategy'], at: string): Problem[] {
  return (strategy?.canary?.steps ?? []).flatMap((step, i) => {
    const here = `${at}.canary.steps[${i}]`
    return [
      ...(step.setHeaderRoute === undefined ? [] : matchProblems(step.setHeaderRoute.match, `${here}.setHeaderRoute`)),
      ...(step.setMirrorRoute === undefined ? [] : matchProblems(step.setMirrorRoute.match, `${here}.setMirrorRoute`)),
    ]
  })
}
