import { quote } from '../errors.js'

/**
 * What a schema says of a backend and of any http(s) URL, so that a client of the config
 * schema or of the OpenAPI document can check it (`format: uri` is standard; the patterns
 * narrow it to http(s) and, for a backend, to an origin). ramp's own `uri` check is
 * httpUrlProblem, and a refused backend is explained by backendUrlProblem.
 */
export const backendOriginPattern = '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]+/?$'
export const httpUrlPattern = '^[Hh][Tt][Tt][Pp][Ss]?://'

/** "htp://x" -> the reason it is not a backend origin, or undefined when it is one. */
export function backendUrlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${quote(value)} is not an http(s) URL`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${quote(value)} is not an http(s) URL`
  if (url.username !== '' || url.password !== '') return `${quote(value)} has credentials; ramp does not send them`
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return `${quote(value)} has a path or query; give the origin only (scheme://host:port)`
  }
  return undefined
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
