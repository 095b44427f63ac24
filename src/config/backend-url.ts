import { quote } from '../errors.js'

/**
 * What a schema says of a backend and of any http(s) URL, so that a client of the config
 * schema or of the OpenAPI document can check it (`format: uri` is standard; the patterns
 * narrow it to http(s) or h2c and, for a backend, to an origin). ramp's own `uri` check is
 * httpUrlProblem, and a refused backend is explained by backendUrlProblem.
 */
export const backendOriginPattern = '^([Hh][Tt][Tt][Pp][Ss]?|[Hh]2[Cc])://[^/?#@\\s]+/?$'
export const httpUrlPattern = '^[Hh][Tt][Tt][Pp][Ss]?://'

const notBackend = (value: string): string => `${quote(value)} is not an http(s) or h2c URL`

/** "htp://x" -> the reason it is not a backend origin, or undefined when it is one. */
export function backendUrlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return notBackend(value)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'h2c:') return notBackend(value)
  if (url.hostname === '') return `${quote(value)} has no host; give scheme://host:port`
  if (url.username !== '' || url.password !== '') return `${quote(value)} has credentials; ramp does not send them`
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return `${quote(value)} has a path or query; give the origin only (scheme://host:port)`
  }
  return undefined
}

/** ramp's check of the `uri` format: a URL that parses, in a scheme ramp speaks; each field's pattern narrows it. */
export function urlProblem(value: string): string | undefined {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:' || protocol === 'h2c:' ? undefined : notBackend(value)
  } catch {
    return notBackend(value)
  }
}

/** Any http(s) URL, path and query allowed (a Prometheus address, a web metric, a webhook). */
export function httpUrlProblem(value: string): string | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `${quote(value)} is not an http(s) URL`
  } catch {
    return `${quote(value)} is not an http(s) URL`
  }
}

/**
 * Where a backend URL's requests go (`origin`: undici's pool key, or `h2c://host:port`), where
 * its gRPC calls go (`grpcOrigin`: HTTP/2 whatever the scheme, `h2://host:port` for https),
 * and its Host.
 */
export function originsOf(url: string): { origin: string; grpcOrigin: string; host: string } {
  const parsed = new URL(url)
  // h2c is not a scheme WHATWG URLs know: its origin is "null" and no port is implied.
  const h2c = parsed.protocol === 'h2c:'
  const host = h2c && parsed.port === '' ? `${parsed.host}:80` : parsed.host
  const origin = h2c ? `h2c://${host}` : parsed.origin
  return { origin, grpcOrigin: parsed.protocol === 'https:' ? `h2://${host}` : origin, host }
}
