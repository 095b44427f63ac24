import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import type { Readable } from 'node:stream'

export type ClientResponse = ServerResponse | Http2ServerResponse

const kClient = Symbol('ramp.upstreamBody.client')
type WatchedBody = Readable & { [kClient]?: ClientResponse }

/**
 * Watches upstream response bodies on their way to the client, for a failure that comes after
 * the client already has the status and headers: the backend closing mid-body, a bad chunk, a
 * body shorter than its content-length, a body timeout. fastify then destroys the client's
 * response; the watcher reports the failure (`failed`) and makes the cut unmistakable by
 * resetting the client's connection, since a response without a length (to an HTTP/1.0
 * client) would otherwise end with a clean close and look complete.
 *
 * A failure before any byte of the body left is not the watcher's: fastify sends headers only
 * with the first chunk, so that failure reaches the listener's error handler, which can still
 * answer 502. Nor is the destroy fastify does when the client leaves first (undici reports it
 * as UND_ERR_ABORTED): that is the client's doing, not the upstream's.
 *
 * One listener function serves every body (the client is kept on the body), so watching makes
 * no closure per request.
 */
export function upstreamBodyWatcher(failed: (client: ClientResponse, err: unknown) => void): (body: Readable, client: ClientResponse) => void {
  function onError(this: WatchedBody, err: NodeJS.ErrnoException): void {
    const client = this[kClient]
    if (client === undefined || !client.headersSent || err.code === 'UND_ERR_ABORTED') return
    this[kClient] = undefined
    failed(client, err)
    // Only an HTTP/1 connection is the client's own: an HTTP/2 session carries other streams,
    // and fastify's destroy of this response already resets just this one.
    if (client.req.httpVersionMajor === 1) client.socket?.resetAndDestroy()
  }
  return (body, client) => {
    (body as WatchedBody)[kClient] = client
    body.on('error', onError)
  }
}
