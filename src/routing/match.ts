import { compileRegex } from '../config/regex.js'
import type { Problem } from '../config/problems.js'
import type { MatchCondition, RequestFacts, StringMatch } from './types.js'

/** A compiled set of conditions: true when the request satisfies every one of them. */
export type RequestPredicate = (req: RequestFacts) => boolean

export interface CompiledMatch {
  readonly test: RequestPredicate
  /** Conditions that could not be compiled; a condition with a problem never matches. */
  readonly problems: readonly Problem[]
}

type Check = (req: RequestFacts) => boolean

/**
 * The cost class of one check: the compiled predicate runs cheap checks first, so a request
 * that fails on its method or path never has its query scanned or a regex run.
 */
const enum Cost { Method, Path, Header, Query, Regex }

interface RankedCheck { cost: Cost; check: Check }

const ALWAYS: RequestPredicate = () => true
const NEVER: Check = () => false

/**
 * Compiles conditions once (per routing table, never per request). Every condition must hold
 * (AND), and every field of a condition given must hold; no condition at all matches every
 * request, as a mirror with an empty `match` does. `path` locates problems in the config
 * (`routes[2].match`), so they read `routes[2].match[0].headerValue.regex: ...`.
 *
 * Semantics, as documented for users:
 * - header names are case-insensitive (looked up lower case, as Node keys `req.headers`);
 *   a header name with no value matches when the header is present;
 * - a query parameter is found by its decoded name, and its first occurrence is matched
 *   (Gateway API's recommendation for a repeated parameter); `+` and `%XX` are decoded;
 * - `exact` and `prefix` are case-sensitive; `regex` is JavaScript syntax, unanchored (write
 *   `^...$` to match the whole value), and sees at most `regexInputChars` characters;
 * - `pathPrefix` matches whole path segments: `/api` matches `/api` and `/api/x`, not `/apix`;
 * - `method` is a list of methods, any of which matches (compared upper case).
 */
export function compileMatch(conditions: readonly MatchCondition[], limits: { regexInputChars: number }, path = 'match'): CompiledMatch {
  const problems: Problem[] = []
  const ranked: RankedCheck[] = []
  conditions.forEach((c, i) => { addCondition(ranked, problems, c, limits.regexInputChars, `${path}[${i}]`) })
  // Stable sort: within a cost class the order of the config is kept.
  const checks = ranked.sort((a, b) => a.cost - b.cost).map((r) => r.check)
  return { test: allOf(checks), problems }
}

function allOf(checks: Check[]): RequestPredicate {
  // Unrolled for the common sizes so the hot path is one or two direct calls, no loop.
  switch (checks.length) {
    case 0: return ALWAYS
    case 1: return checks[0] as Check
    case 2: {
      const [a, b] = checks as [Check, Check]
      return (req) => a(req) && b(req)
    }
    default:
      return (req) => {
        for (let i = 0; i < checks.length; i++) if (!(checks[i] as Check)(req)) return false
        return true
      }
  }
}

function addCondition(out: RankedCheck[], problems: Problem[], c: MatchCondition, cap: number, path: string): void {
  if (c.method !== undefined) {
    if (c.method.length === 0) {
      problems.push({ path: `${path}.method`, message: 'an empty list matches no request (leave `method` out to match every method)' })
      out.push({ cost: Cost.Method, check: NEVER })
    } else {
      const methods = new Set(c.method.map((m) => m.toUpperCase()))
      // Methods are case-sensitive on the wire and Node hands them over as sent (upper case
      // in practice); the config's `get` is taken to mean GET.
      out.push({ cost: Cost.Method, check: (req) => methods.has(req.method) })
    }
  }
  if (c.pathPrefix !== undefined) out.push({ cost: Cost.Path, check: pathPrefixCheck(c.pathPrefix) })
  if (c.headerName !== undefined) {
    const name = c.headerName.toLowerCase()
    const value = stringCheck(c.headerValue, cap, `${path}.headerValue`, problems)
    out.push({
      cost: value.regex ? Cost.Regex : Cost.Header,
      check: value.test === null
        ? (req) => req.header(name) !== undefined
        : headerCheck(name, value.test),
    })
  } else if (c.headerValue !== undefined) {
    problems.push({ path: `${path}.headerValue`, message: 'needs a `headerName` to say which header' })
    out.push({ cost: Cost.Header, check: NEVER })
  }
  if (c.queryName !== undefined) {
    const name = c.queryName
    const value = stringCheck(c.queryValue, cap, `${path}.queryValue`, problems)
    const test = value.test
    out.push({
      cost: value.regex ? Cost.Regex : Cost.Query,
      check: test === null
        ? (req) => queryParam(req.query, name) !== undefined
        : (req) => { const v = queryParam(req.query, name); return v !== undefined && test(v) },
    })
  } else if (c.queryValue !== undefined) {
    problems.push({ path: `${path}.queryValue`, message: 'needs a `queryName` to say which query parameter' })
    out.push({ cost: Cost.Query, check: NEVER })
  }
}

function headerCheck(name: string, test: (v: string) => boolean): Check {
  return (req) => {
    const v = req.header(name)
    return v !== undefined && test(v)
  }
}

function pathPrefixCheck(prefix: string): Check {
  if (prefix === '' || prefix === '/') return ALWAYS
  // `/api/` and `/api` mean the same segment; the boundary check below handles both.
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  return (req) => {
    const path = req.path
    return path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === 47 /* / */)
  }
}

interface ValueTest { test: ((v: string) => boolean) | null; regex: boolean }

function stringCheck(m: StringMatch | undefined, cap: number, path: string, problems: Problem[]): ValueTest {
  if (m === undefined) return { test: null, regex: false }
  if ('exact' in m) {
    const want = m.exact
    return { test: (v) => v === want, regex: false }
  }
  if ('prefix' in m) {
    const want = m.prefix
    return { test: (v) => v.startsWith(want), regex: false }
  }
  const re = compileRegex(m.regex)
  if (typeof re === 'string') {
    problems.push({ path: `${path}.regex`, message: re })
    return { test: () => false, regex: false }
  }
  // The regex only ever sees the first `cap` characters: a hostile 1 MB header costs what a
  // `cap`-character one does, so the price of a test is set by the config, not the request.
  // That bounds linear and polynomial patterns; a pattern with exponential backtracking
  // (`^(a+)+$`) is slow on a few dozen characters already, which no cap below that fixes.
  return { test: (v) => re.test(v.length > cap ? v.slice(0, cap) : v), regex: true }
}

/**
 * The decoded value of the first `name` parameter in a raw query (`a=1&b=x+y`), '' for a
 * parameter without `=`, undefined when absent. Scans the raw string for this one name
 * instead of parsing every parameter, and decodes only the pairs it has to look at.
 */
export function queryParam(query: string, name: string): string | undefined {
  if (query === '') return undefined
  // Absent unless the name is written out, or could be once decoded.
  if (!query.includes(name) && !query.includes('%') && !query.includes('+')) return undefined
  let start = 0
  const end = query.length
  while (start <= end) {
    let amp = query.indexOf('&', start)
    if (amp === -1) amp = end
    if (amp > start) {
      let eq = query.indexOf('=', start)
      if (eq === -1 || eq > amp) eq = amp
      if (keyIs(query, start, eq, name)) return eq === amp ? '' : decodeComponent(query.slice(eq + 1, amp))
    }
    start = amp + 1
  }
  return undefined
}

function keyIs(query: string, start: number, end: number, name: string): boolean {
  if (end - start === name.length && query.startsWith(name, start)) return true
  // An encoded key (`q%5Fid`, `a+b`) can only be the name once decoded; a plain one that
  // differs is not it, and is rejected without making a string.
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i)
    if (c === 37 /* % */ || c === 43 /* + */) return decodeComponent(query.slice(start, end)) === name
  }
  return false
}

function needsDecoding(s: string): boolean {
  return s.includes('%') || s.includes('+')
}

/**
 * application/x-www-form-urlencoded decoding, as URLSearchParams does it: `+` is a space,
 * `%XX` a UTF-8 byte, and a malformed escape is kept as written rather than failing.
 */
export function decodeComponent(s: string): string {
  if (!needsDecoding(s)) return s
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s
  try {
    return decodeURIComponent(spaced)
  } catch {
    // Rare (a stray `%` or invalid UTF-8): let the WHATWG parser apply its lenient rules.
    return new URLSearchParams(`x=${s}`).get('x') ?? s
  }
}
