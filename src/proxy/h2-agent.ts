import type { Dispatcher } from 'undici'
import { H2Call, type H2CallTimeouts } from './h2-call.js'
import { H2Sessions, type H2SessionOptions } from './h2-sessions.js'

/**
 * Every HTTP/2 backend's sessions, by origin: `h2c://host:port` (prior knowledge) and
 * `h2://host:port` (TLS, ALPN h2: how a gRPC call reaches an https backend). Requests arrive
 * through `UpstreamAgent`, in undici's dispatch form.
 */
export class H2Agent {
  private readonly origins = new Map<string, { sessions: H2Sessions; scheme: 'http' | 'https'; authority: string }>()

  constructor(private readonly opts: H2SessionOptions & H2CallTimeouts) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin)
    let o = this.origins.get(origin)
    if (o === undefined) {
      const secure = origin.charCodeAt(2) === 58 /* h2: */
      const authority = origin.slice(secure ? 5 : 6)
      const scheme = secure ? 'https' : 'http'
      o = { sessions: new H2Sessions(`${scheme}://${authority}`, this.opts), scheme, authority }
      this.origins.set(origin, o)
    }
    new H2Call(o.sessions, options, handler, o.scheme, o.authority, this.opts).start()
    return true
  }

  /** GOAWAY to every session; resolves once their streams finished. */
  async close(): Promise<void> {
    await Promise.all([...this.origins.values()].map((o) => o.sessions.close()))
  }

  destroy(err: Error | null): void {
    for (const o of this.origins.values()) o.sessions.destroy(err)
  }
}
