/**
 * What an override value asks for, against the versions of the current table:
 * - `stable` / `canary`: serve that version;
 * - `ignored`: a value was sent but cannot be honoured (a version not in the table, such as
 *   a canary already aborted, or `always` while no canary is in the table); the request falls
 *   through to the next mechanism and the caller counts it, since it is usually a stale
 *   bookmark or a typo someone is waiting on;
 * - `absent`: no value (or an empty one) was sent.
 */
export type OverrideOutcome = 'stable' | 'canary' | 'ignored' | 'absent'

/**
 * Resolves `x-ramp-version: <value>` (or the cookie of the same meaning). `always` and
 * `never` are keywords for the canary of the moment and win over a version of that name
 * (the loader should refuse those names). Names are case-sensitive, as version names are.
 */
export function resolveOverride(value: string | undefined, stableName: string, canaryName: string | null): OverrideOutcome {
  if (value === undefined || value === '') return 'absent'
  if (value === 'never') return 'stable'
  if (value === 'always') return canaryName === null ? 'ignored' : 'canary'
  if (value === canaryName) return 'canary'
  if (value === stableName) return 'stable'
  return 'ignored'
}

/**
 * The value of the first cookie called `name` in a Cookie header (`a=1; b="2"`), without
 * parsing the others into anything: pairs are skipped by position, a pair with no `=` is
 * skipped, spaces around name and value are dropped and one pair of double quotes removed.
 * The first occurrence wins, as browsers send the most specific path first. Cookie names are
 * case-sensitive. Node joins repeated Cookie headers with `; `, so one string is enough.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  // Most requests do not carry the cookie asked for: one substring search settles those.
  if (header === undefined || !header.includes(name)) return undefined
  const end = header.length
  let pos = 0
  while (pos < end) {
    let semi = header.indexOf(';', pos)
    if (semi === -1) semi = end
    const eq = header.indexOf('=', pos)
    if (eq !== -1 && eq < semi) {
      let ks = pos
      while (ks < eq && isSpace(header.charCodeAt(ks))) ks++
      let ke = eq
      while (ke > ks && isSpace(header.charCodeAt(ke - 1))) ke--
      if (ke - ks === name.length && header.startsWith(name, ks)) return unquote(header, eq + 1, semi)
    }
    pos = semi + 1
  }
  return undefined
}

function unquote(s: string, start: number, end: number): string {
  while (start < end && isSpace(s.charCodeAt(start))) start++
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--
  if (end - start >= 2 && s.charCodeAt(start) === 34 && s.charCodeAt(end - 1) === 34) {
    start++
    end--
  }
  return s.slice(start, end)
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9
}
