import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) describe one connection, not the message, so a proxy
 * must not forward them either way. `upgrade` is only kept on an actual upgrade, which the
 * upgrade path (src/proxy/upgrade.ts) puts back. They are also exactly the headers an HTTP/2
 * response must not carry (RFC 9113 8.2.2), so stripping them keeps h2 responses legal.
 */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'])

/**
 * Request fields ramp sets itself, or that cannot be forwarded: `expect` (ramp answers the
 * 100-continue, and undici refuses the field), and the forwarding fields it rewrites.
 */
const rewritten = new Set(['host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])

/**
 * Response fields dropped: the hop-by-hop ones except `trailer`, which announces the trailers
 * ramp does forward (RFC 9110 6.6.2 makes it an end-to-end field).
 */
const responseHopByHop = new Set([...hopByHop].filter((n) => n !== 'trailer'))
/** Their lengths: a response field of another length is kept without lower-casing its name. */
const responseHopByHopLengths = new Set([...responseHopByHop].map((n) => n.length))

/**
 * A copy of `headers` without the hop-by-hop ones, those named in `connection`, and HTTP/2
 * pseudo-headers (`:path`, ...), which are not headers of an HTTP/1.1 message. Copying
 * what is forwarded costs half of deleting the hop-by-hop names in place: most are absent,
 * and each `delete` is a runtime call that can also turn the object into a slow dictionary.
 */
function forwardable<T extends Record<string, unknown>>(headers: T): T {
  const connection = headers.connection
  let named: Set<string> | null = null
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase()
      if (name !== '') (named ??= new Set()).add(name)
    }
  }
  const out: Record<string, unknown> = {}
  for (const name in headers) {
    if (!hopByHop.has(name) && !name.startsWith(':') && named?.has(name) !== true) out[name] = headers[name]
  }
  return out as T
}

export interface ForwardContext {
  clientAddress: string | undefined
  proto: 'http' | 'https'
  /** The Host the client asked for. */
  host: string | undefined
  /** The backend's host, sent when the client's Host is not preserved. */
  upstreamHost: string
  preserveHost: boolean
  versionHeader: string
  version: string
}

/**
 * Builds the upstream request headers from the client's: hop-by-hop removed,
 * x-forwarded-for appended to, x-forwarded-proto and -host set, Host chosen, and the serving
 * version named. `client` is left as it is.
 */
export function upstreamRequestHeaders(client: IncomingHttpHeaders, ctx: ForwardContext): IncomingHttpHeaders {
  const headers = forwardable(client)
  const prior = headers['x-forwarded-for']
  if (ctx.clientAddress !== undefined) {
    headers['x-forwarded-for'] = prior === undefined || prior === '' ? ctx.clientAddress : `${String(prior)}, ${ctx.clientAddress}`
  }
  headers['x-forwarded-proto'] = ctx.proto
  if (ctx.host !== undefined) headers['x-forwarded-host'] = ctx.host
  headers.host = ctx.preserveHost && ctx.host !== undefined ? ctx.host : ctx.upstreamHost
  headers[ctx.versionHeader] = ctx.version
  return headers
}

/** Response headers from the backend (left as they are): hop-by-hop removed, the version added when asked. */
export function clientResponseHeaders(backend: OutgoingHttpHeaders, versionHeader: string | null, version: string): OutgoingHttpHeaders {
  const headers = forwardable(backend)
  if (versionHeader !== null) headers[versionHeader] = version
  return headers
}

/** The Host the client asked for: `host` in HTTP/1.1, `:authority` in HTTP/2. */
export function clientHost(headers: IncomingHttpHeaders): string | undefined {
  if (headers.host !== undefined) return headers.host
  const authority = headers[':authority']
  return typeof authority === 'string' ? authority : undefined
}

/**
 * An upgrade request's headers: those of any request, with the one hop-by-hop pair an
 * upgrade needs put back, so the backend is asked for the same protocol the client asked for.
 */
export function upgradeRequestHeaders(headers: IncomingHttpHeaders, ctx: ForwardContext): IncomingHttpHeaders {
  const protocol = headers.upgrade
  const out = upstreamRequestHeaders(headers, ctx)
  out.connection = 'upgrade'
  if (protocol !== undefined) out.upgrade = protocol
  return out
}

/** A 101's headers from the backend, for the client: as any response's, with `connection: upgrade` and the backend's `upgrade` kept. */
export function upgradeResponseHeaders(headers: OutgoingHttpHeaders, versionHeader: string | null, version: string): OutgoingHttpHeaders {
  const protocol = headers.upgrade
  const out = clientResponseHeaders(headers, versionHeader, version)
  out.connection = 'upgrade'
  if (protocol !== undefined) out.upgrade = protocol
  return out
}

/**
 * The lower-cased names a `connection` field lists beyond the hop-by-hop ones (`keep-alive`,
 * `close`, `upgrade`: almost every value), so the usual message makes no set; null when none.
 */
function connectionNamed(connection: string | undefined): Set<string> | null {
  if (connection === undefined) return null
  // One token, as nearly every message has: no split, and no strings made for `keep-alive`.
  if (!connection.includes(',')) {
    const n = namedField(connection)
    return n === null ? null : new Set([n])
  }
  let named: Set<string> | null = null
  for (const token of connection.split(',')) {
    const n = namedField(token)
    if (n !== null) (named ??= new Set()).add(n)
  }
  return named
}

/** The field a `connection` token names (lower case), or null for an option that names none. */
function namedField(token: string): string | null {
  const n = token.trim().toLowerCase()
  return n === '' || n === 'close' || hopByHop.has(n) ? null : n
}

/**
 * The upstream request's raw header list from the client's (`rawHeaders`: names as sent,
 * repeated fields as separate lines, in order): hop-by-hop, Connection-named and pseudo
 * fields dropped, Host first, x-forwarded-for appended to (its prior lines joined),
 * x-forwarded-proto and -host set, and the serving version named. `connection` is the
 * request's (Node has it parsed); `versionHeader` is lower-cased; a client's own line of it
 * is replaced.
 */
export function upstreamRawHeaders(raw: readonly string[], connection: string | undefined, ctx: ForwardContext): string[] {
  const named = connectionNamed(connection)
  const host = ctx.preserveHost && ctx.host !== undefined ? ctx.host : ctx.upstreamHost
  const out: string[] = ['host', host]
  let prior: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (lower === 'x-forwarded-for') prior = prior === undefined ? raw[i + 1] : `${prior}, ${raw[i + 1] as string}`
    if (hopByHop.has(lower) || rewritten.has(lower) || lower === ctx.versionHeader || lower.charCodeAt(0) === 58 /* : */ || named?.has(lower) === true) continue
    out.push(name, raw[i + 1] as string)
  }
  if (ctx.clientAddress !== undefined) out.push('x-forwarded-for', prior === undefined || prior === '' ? ctx.clientAddress : `${prior}, ${ctx.clientAddress}`)
  else if (prior !== undefined) out.push('x-forwarded-for', prior)
  out.push('x-forwarded-proto', ctx.proto)
  if (ctx.host !== undefined) out.push('x-forwarded-host', ctx.host)
  out.push(ctx.versionHeader, ctx.version)
  return out
}

/**
 * The client's raw response header list from undici's (latin1 bytes, as the backend sent
 * them): hop-by-hop and Connection-named fields dropped, repeated fields kept line by line,
 * and the serving version added when asked.
 */
export function clientRawHeaders(raw: readonly Buffer[], versionHeader: string | null, version: string): string[] {
  const n = raw.length
  const strings: string[] = new Array<string>(n)
  let connection: string | undefined
  for (let i = 0; i < n; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1')
    const value = (raw[i + 1] as Buffer).toString('latin1')
    strings[i] = name
    strings[i + 1] = value
    if (name.length === 10 && name.toLowerCase() === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`
  }
  const named = connectionNamed(connection)
  const out: string[] = []
  for (let i = 0; i < n; i += 2) {
    const name = strings[i] as string
    if (named !== null || responseHopByHopLengths.has(name.length)) {
      const lower = name.toLowerCase()
      if (responseHopByHop.has(lower) || named?.has(lower) === true) continue
    }
    out.push(name, strings[i + 1] as string)
  }
  if (versionHeader !== null) out.push(versionHeader, version)
  return out
}

/** The first value of field `name` (lower case) in undici's raw list, or undefined. */
export function rawField(raw: readonly unknown[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const field = String(raw[i])
    if (field.length === name.length && field.toLowerCase() === name) return String(raw[i + 1])
  }
  return undefined
}

/** Fields from undici's raw list (trailers, a 1xx's headers) as the object Node's writers take, repeated names joined. */
export function fieldsObject(raw: readonly Buffer[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase()
    const value = (raw[i + 1] as Buffer).toString('latin1')
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`
  }
  return out
}
