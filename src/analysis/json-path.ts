import { quote } from '../errors.js'

/**
 * The JSONPath subset a web metric needs to reach one number: `$`, `.key`, `[0]`, `['key']`
 * and `["key"]` (for keys a dot cannot carry, like "p99.9" or "a b"). No wildcards, filters
 * or slices: a metric is one value, and a path that could match several would hide which.
 */
export type PathSegment = string | number

export type Parsed = { ok: true; segments: PathSegment[] } | { ok: false; message: string }
export type Found = { ok: true; value: unknown } | { ok: false; message: string }

const supported = `ramp reads $.a.b, $.a[0].b and $['key']`

export function parseJsonPath(path: string): Parsed {
  const bad = (why: string): Parsed => ({ ok: false, message: `${quote(path)} ${why}; ${supported}` })
  if (!path.startsWith('$')) return bad('does not start with $')
  const segments: PathSegment[] = []
  let i = 1
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[^.[\]'"\s]+/.exec(path.slice(i + 1))
      if (m === null) return bad(`has no key after the "." at ${i}`)
      segments.push(m[0])
      i += 1 + m[0].length
    } else if (path[i] === '[') {
      const index = /^\[([0-9]+)\]/.exec(path.slice(i))
      if (index !== null) {
        segments.push(Number(index[1]))
        i += index[0].length
        continue
      }
      const quoted = /^\[(['"])((?:\\.|(?!\1)[^\\])*)\1\]/.exec(path.slice(i))
      if (quoted === null) return bad(`has a "[" at ${i} that is neither [index] nor ['key']`)
      segments.push((quoted[2] as string).replace(/\\(.)/g, '$1'))
      i += quoted[0].length
    } else {
      return bad(`has ${quote(path[i])} at ${i} where "." or "[" should be`)
    }
  }
  return { ok: true, segments }
}

/** `$.a[0]['b c']` from its segments, so a message shows how far a path got. */
function render(segments: readonly PathSegment[]): string {
  return '$' + segments.map((s) => typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`).join('')
}

export function evaluateJsonPath(doc: unknown, path: string): Found {
  const parsed = parseJsonPath(path)
  if (!parsed.ok) return parsed
  let here: unknown = doc
  for (let i = 0; i < parsed.segments.length; i++) {
    const seg = parsed.segments[i] as PathSegment
    const at = render(parsed.segments.slice(0, i))
    if (typeof seg === 'number') {
      if (!Array.isArray(here)) return { ok: false, message: `${at} is ${describeJson(here)}, not an array` }
      if (seg >= here.length) return { ok: false, message: `${at} has ${here.length} items, no [${seg}]` }
      here = here[seg]
    } else {
      if (here === null || typeof here !== 'object' || Array.isArray(here)) return { ok: false, message: `${at} is ${describeJson(here)}, not an object` }
      // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
      if (!Object.hasOwn(here, seg)) return { ok: false, message: `${at} has no key ${quote(seg)}` }
      here = (here as Record<string, unknown>)[seg]
    }
  }
  return { ok: true, value: here }
}

/** A JSON value in a few words, for messages that say what was found instead of a number. */
export function describeJson(v: unknown): string {
  if (v === null) return 'null'
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number') return `the number ${v}`
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  if (Array.isArray(v)) return `an array of ${v.length} items`
  if (typeof v === 'object') {
    const keys = Object.keys(v)
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`
  }
  return typeof v
}
