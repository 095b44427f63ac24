import type { ErrorObject } from 'ajv'
import { quote } from '../errors.js'
import { grpcMethodPattern, grpcMethodProblem } from '../grpc/method-path.js'
import { backendOriginPattern, backendUrlProblem, httpUrlPattern, httpUrlProblem, urlProblem } from './backend-url.js'

/** One thing wrong with a configuration, located by its path in the file (`canary.backends[1]`). */
export interface Problem {
  path: string
  message: string
}

export function formatProblem(p: Problem): string {
  return p.path === '' ? p.message : `${p.path}: ${p.message}`
}

/** `/canary/backends/1` -> `canary.backends[1]` */
export function pointerToPath(pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^[0-9]+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`
  }
  return out
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`
  return base === '' ? key : `${base}.${key}`
}


/**
 * Ajv reports a failed union once per branch plus once for the union; keep one line per
 * location, preferring the branch-level detail a person can act on.
 */
export function ajvProblems(errors: ErrorObject[], data: unknown): Problem[] {
  const byPath = new Map<string, Problem>()
  const patterned = new Set<string>()
  for (const e of errors) {
    const path = pointerToPath(e.instancePath)
    let problem: Problem
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty)
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {})
        problem = { path: joinPath(path, key), message: allowed.length === 0 ? 'unknown key (this takes no fields)' : `unknown key (expected one of: ${allowed.join(', ')})` }
        byPath.set(`${problem.path}#unknown`, problem)
        continue
      }
      case 'required': {
        const key = String((e.params as { missingProperty: string }).missingProperty)
        problem = { path: joinPath(path, key), message: 'is required' }
        byPath.set(`${problem.path}#required`, problem)
        continue
      }
      case 'anyOf': {
        const description = (e.parentSchema as { description?: string }).description
        const branches = (e.parentSchema as { anyOf?: Branch[] }).anyOf ?? []
        const options = branches.map((b) => b.const).filter((c) => c !== undefined)
        const named = branches.map(branchName)
        const want = options.length > 0 && options.length < branches.length && named.every((n) => n !== null)
          ? named.join(' or ')
          : options.length > 0 ? `one of ${options.map((o) => quote(o)).join(', ')}` : description ?? 'a valid value'
        problem = { path, message: `${quote(valueAt(data, e.instancePath))} is not ${want}` }
        byPath.set(path, problem)
        continue
      }
      default: {
        if (byPath.has(path) && isUnionBranch(e)) continue
        // A field's pattern says what that field takes (an origin, http only); the shared format less.
        if (e.keyword === 'format' && patterned.has(path)) continue
        if (e.keyword === 'pattern') patterned.add(path)
        problem = { path, message: describe(e, valueAt(data, e.instancePath)) }
        if (!isUnionBranch(e)) byPath.set(path, problem)
        else if (!byPath.has(path)) byPath.set(`${path}#branch`, problem)
      }
    }
  }
  // A union's own line says it best; drop the branch lines for the same place.
  for (const key of [...byPath.keys()]) {
    if (key.endsWith('#branch') && byPath.has(key.slice(0, -'#branch'.length))) byPath.delete(key)
  }
  return [...byPath.values()]
}

interface Branch { const?: unknown; type?: string; minimum?: number; maximum?: number }

/** A union branch in words, where that is short: a constant, or a bounded integer (`workers: 1..1024 | auto`). */
function branchName(b: Branch): string | null {
  if (b.const !== undefined) return quote(b.const)
  if (b.type === 'integer' && b.minimum !== undefined && b.maximum !== undefined) return `an integer from ${b.minimum} to ${b.maximum}`
  return null
}

function isUnionBranch(e: ErrorObject): boolean {
  return /\/anyOf\/[0-9]+\//.test(e.schemaPath)
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur: unknown = data
  for (const raw of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return cur
}

/** Formats whose failure has a sentence of its own (the schema's `format` keyword). */
export const formatMessages: Record<string, (value: string) => string | undefined> = {
  uri: urlProblem,
}


/** Patterns whose failure has a sentence of its own: a person reads that, not the regex. */
const patternMessages: Record<string, (value: string) => string | undefined> = {
  [backendOriginPattern]: backendUrlProblem,
  [httpUrlPattern]: httpUrlProblem,
  [grpcMethodPattern]: grpcMethodProblem,
}

function describe(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'maximum': return `${quote(value)} is above the maximum ${String(p.limit)}`
    case 'minimum': return `${quote(value)} is below the minimum ${String(p.limit)}`
    case 'type': return `${quote(value)} is not ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}`
    case 'multipleOf': return `${quote(value)} has more than two decimals`
    case 'minItems': return `needs at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}`
    case 'minLength': return 'must not be empty'
    case 'pattern': {
      const f = patternMessages[String(p.pattern)]
      return (typeof value === 'string' ? f?.(value) : undefined) ?? `${quote(value)} does not match ${String(p.pattern)}`
    }
    case 'format': {
      const f = formatMessages[String(p.format)]
      return (typeof value === 'string' ? f?.(value) : undefined) ?? `${quote(value)} is not a valid ${String(p.format)}`
    }
    default: return `${quote(value)}: ${e.message ?? 'is invalid'}`
  }
}
