/**
 * RFC 9112 3.2: a server must answer 400 to a request with more than one Host line or with
 * a Host that is not a valid `uri-host [":" port]`. Node parses both without complaint and
 * keeps the first Host, while a backend or a cache behind ramp may read another one; and a
 * Host carrying `/`, `@`, spaces or quotes is how Host-header injection reaches links and
 * redirects a backend builds from it. Node itself answers a missing Host with 400.
 *
 * `[...]` is an IP literal (IPv6, with an optional zone); otherwise a reg-name or IPv4 of
 * unreserved, sub-delims and percent signs. An empty Host is allowed, as the RFC allows it.
 */
const validHost = /^(?:\[[0-9A-Fa-f:.]+(?:%25[\w.~-]+)?\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/

/** Why this request's Host is refused, or null when it is fine (or absent, which Node handles). */
export function hostProblem(rawHeaders: readonly string[], host: string | undefined): string | null {
  let lines = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host') lines++
  }
  if (lines > 1) return `the request has ${lines} Host headers; send one`
  if (host !== undefined && !validHost.test(host)) return 'the Host header is not a host name or address with an optional port'
  return null
}
