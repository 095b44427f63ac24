const notBackend = (value: string): string => `${JSON.stringify(value)} is not an http(s) or h2c URL`

/** "htp://x" -> the reason it is not a backend origin, or undefined when it is one. */
export function backendUrlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return notBackend(value)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'h2c:') return notBackend(value)
  if (url.hostname === '') return `${JSON.stringify(value)} has no host; give scheme://host:port`
  if (url.username !== '' || url.password !== '') return `${JSON.stringify(value)} has credentials; ramp does not send them`
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return `${JSON.stringify(value)} has a path or query; give the origin only (scheme://host:port)`
  }
  return undefined
}

/** Any http(s) URL, path and query allowed (a Prometheus address, a web metric, a webhook). */
export function httpUrlProblem(value: string): string | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `${JSON.stringify(value)} is not an http(s) URL`
  } catch {
    return `${JSON.stringify(value)} is not an http(s) URL`
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
