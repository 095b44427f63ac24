import type { IncomingMessage } from 'node:http'
import type { RequestFacts } from '../routing/types.js'

/**
 * The routing decision's view of a request, read straight from Node's parsed request: no
 * header copy, and the path and query split off only when a rule asks for them (a split by
 * weight alone never does). One object per request, its methods on the prototype.
 */
class RequestView implements RequestFacts {
  private split = -2

  constructor(private readonly req: IncomingMessage) {}

  get method(): string { return this.req.method ?? 'GET' }

  get path(): string {
    const url = this.url
    const q = this.queryAt()
    return q < 0 ? url : url.slice(0, q)
  }

  get query(): string {
    const q = this.queryAt()
    return q < 0 ? '' : this.url.slice(q + 1)
  }

  get clientAddress(): string | undefined { return this.req.socket.remoteAddress }

  header(name: string): string | undefined {
    const headers = this.req.headers
    // An HTTP/2 request names its host in `:authority`; rules that match `host` must still see it.
    const v = headers[name] ?? (name === 'host' ? headers[':authority'] : undefined)
    return Array.isArray(v) ? v.join(', ') : v
  }

  private get url(): string { return this.req.url ?? '/' }

  private queryAt(): number {
    if (this.split === -2) this.split = this.url.indexOf('?')
    return this.split
  }
}

export function factsOf(req: IncomingMessage): RequestFacts {
  return new RequestView(req)
}
