import type { Agent as UndiciAgent } from 'undici'
import { Agent } from '../undici-core.js'
import type { Config } from '../config/load.js'

/**
 * One undici Agent for every backend: it keeps one connection pool per origin. Timeouts are
 * set here explicitly rather than inherited (undici's defaults wait 300 s for headers). The
 * idle keep-alive is kept shorter than typical upstream idle timeouts (nginx 75 s, Node 5 s),
 * so ramp closes an idle socket before the backend does and never sends a request into a
 * socket the backend is closing. Certificates of https backends are verified unless the
 * config opts out.
 */
export function createUpstreamAgent(upstream: Config['upstream']): UndiciAgent {
  return new Agent({
    connections: upstream.connectionsPerBackend,
    pipelining: 1,
    keepAliveTimeout: upstream.keepAliveTimeoutMs,
    keepAliveMaxTimeout: upstream.keepAliveTimeoutMs,
    headersTimeout: upstream.headersTimeoutMs,
    bodyTimeout: upstream.bodyTimeoutMs,
    connect: {
      timeout: upstream.connectTimeoutMs,
      rejectUnauthorized: !upstream.tls.insecureSkipVerify,
    },
  })
}
