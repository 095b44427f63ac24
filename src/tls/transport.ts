import type { Certificates } from './certificates.js'

/**
 * Fastify's server options for one listener: plain HTTP without certificates, HTTPS with
 * them, and with `http2` an HTTP/2 server that also speaks HTTP/1.1 on the same port (ALPN
 * picks), so h1-only clients and upgrades (which are HTTP/1.1) keep working.
 *
 * Typed as plain options on purpose: fastify types an h2 instance apart, but the listener's
 * code is the same for both (an Http2ServerRequest has every IncomingMessage field it reads,
 * and the h2-only differences are handled where they matter: `:authority`, pseudo-headers,
 * connection headers).
 */
export function transportOptions(certs: Certificates | null, http2: boolean): object {
  if (certs === null) return {}
  const https = { cert: certs.cert, key: certs.key }
  return http2 ? { http2: true, https: { ...https, allowHTTP1: true } } : { https }
}
