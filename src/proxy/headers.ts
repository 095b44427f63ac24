import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) describe one connection, not the message, so a proxy
 * must not forward them either way. `upgrade` is only kept on an actual upgrade, which the
 * WebSocket path handles separately.
 */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'])

/** Deletes hop-by-hop headers and every header named in `connection`, in place. */
export function stripHopByHop(headers: Record<string, unknown>): void {
  const connection = headers.connection
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase()
      if (name !== '') delete headers[name]
    }
  }
  for (const name of hopByHop) delete headers[name]
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
 * Builds the upstream request headers from the client's (already copied) headers in one pass:
 * hop-by-hop removed, x-forwarded-for appended to, x-forwarded-proto and -host set, Host
 * chosen, and the serving version named.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, ctx: ForwardContext): IncomingHttpHeaders {
  stripHopByHop(headers)
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

/** Response headers from the backend: hop-by-hop removed, the version added when asked. */
export function clientResponseHeaders(headers: OutgoingHttpHeaders, versionHeader: string | null, version: string): OutgoingHttpHeaders {
  stripHopByHop(headers)
  if (versionHeader !== null) headers[versionHeader] = version
  return headers
}
