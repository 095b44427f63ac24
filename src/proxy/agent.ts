import type { Agent as UndiciAgent, Dispatcher as UndiciDispatcher } from 'undici'
import { Agent } from '../undici-core.js'
import type { Config } from '../config/load.js'
import { H2Agent } from './h2-agent.js'
import { PromisedDispatcher } from './promised-dispatcher.js'

/**
 * Every backend's connections: undici's Agent (one pool per origin) for HTTP/1.1, and
 * `H2Agent` for the HTTP/2 origins (`h2c://`, and `h2://` for a gRPC call to an https
 * backend), told apart by the origin's scheme, so whoever dispatches (a flight, the mirror, a
 * probe) needs to know nothing of it.
 */
export class UpstreamAgent extends PromisedDispatcher {
  constructor(private readonly h1: UndiciAgent, private readonly h2: H2Agent) {
    super()
  }

  override dispatch(options: UndiciDispatcher.DispatchOptions, handler: UndiciDispatcher.DispatchHandler): boolean {
    const origin = options.origin
    if (typeof origin === 'string' && origin.charCodeAt(1) === 50 /* h2c: or h2: */) return this.h2.dispatch(options, handler)
    return this.h1.dispatch(options, handler)
  }

  protected closing(): Promise<void> {
    return Promise.all([this.h1.close(), this.h2.close()]).then(() => undefined)
  }

  protected destroying(err: Error | null): Promise<void> {
    this.h2.destroy(err)
    return this.h1.destroy(err)
  }
}

/**
 * The upstream agent of a config. Timeouts are set here explicitly rather than inherited
 * (undici's defaults wait 300 s for headers). The idle keep-alive is kept shorter than
 * typical upstream idle timeouts (nginx 75 s, Node 5 s), so ramp closes an idle socket before
 * the backend does and never sends a request into a socket the backend is closing.
 * Certificates of https backends are verified unless the config opts out.
 */
export function createUpstreamAgent(upstream: Config['upstream']): UpstreamAgent {
  const h1 = new Agent({
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
  const h2 = new H2Agent({
    connectTimeoutMs: upstream.connectTimeoutMs,
    keepAliveTimeoutMs: upstream.keepAliveTimeoutMs,
    maxSessions: upstream.connectionsPerBackend,
    rejectUnauthorized: !upstream.tls.insecureSkipVerify,
    headersTimeoutMs: upstream.headersTimeoutMs,
    bodyTimeoutMs: upstream.bodyTimeoutMs,
  })
  return new UpstreamAgent(h1, h2)
}
