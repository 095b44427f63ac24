import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createH2cServer, createSecureServer, type Http2SecureServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { Duplex } from 'node:stream'
import type { Config } from '../config/load.js'
import { rampError } from '../errors.js'
import type { Certificates } from '../tls/certificates.js'
import { clientErrorHandler, type ClientRejection } from './client-errors.js'
import { limitServer } from './client-limits.js'
import { H2Guard } from './h2-guard.js'
import { endWithError } from './raw-response.js'
import { sendError } from './respond.js'

export type RequestHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void

export interface DataServer {
  /** The node server: http, https, HTTP/2 over TLS that also speaks HTTP/1.1 (ALPN picks), or h2c. */
  readonly server: Server
  /** Set for an HTTP/2 listener: its sessions, for the close and the rapid-reset defence. */
  readonly h2: H2Guard | null
}

/**
 * One data-plane listener's node server, with `handle` for every request. `Expect:
 * 100-continue` comes to the same handler (Node's 'checkContinue'), which answers it when it
 * forwards the body. The client limits and the answer to what Node cannot parse are set here,
 * once, for whichever kind of server it is.
 */
export function createDataServer(certs: Certificates | null, http2: boolean, clients: () => Config['clients'], rejected: (reason: ClientRejection) => void, handle: RequestHandler): DataServer {
  const limits = clients()
  let server: Server
  let h2: H2Guard | null = null
  const h2Options = { maxSessionMemory: 64, settings: { maxConcurrentStreams: limits.h2MaxConcurrentStreams } }
  if (!http2) {
    server = certs === null
      ? createHttpServer(handle as (req: IncomingMessage, res: ServerResponse) => void)
      : createHttpsServer({ cert: certs.cert, key: certs.key }, handle as (req: IncomingMessage, res: ServerResponse) => void)
  } else {
    // Without TLS there is no ALPN to tell HTTP/1.1 from HTTP/2, and Node's cleartext HTTP/2
    // server speaks HTTP/2 alone: h2c with prior knowledge, what gRPC clients open.
    const h2Server: Http2SecureServer | Http2Server = certs === null
      ? createH2cServer(h2Options, handle)
      : createSecureServer({ cert: certs.cert, key: certs.key, allowHTTP1: true, ...h2Options }, handle)
    h2 = new H2Guard(h2Server, clients, rejected)
    // The HTTP/1 side of a TLS server reads the same fields as an http.Server.
    server = h2Server as unknown as Server
  }
  server.on('checkContinue', handle)
  // Node would answer these itself, in its own shape: an expectation other than
  // 100-continue with a bare 417, and CONNECT by closing the connection.
  server.on('checkExpectation', (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    sendError(res, rampError('RAMP_ERR_CLIENT_EXPECTATION', `the expectation ${JSON.stringify(String(req.headers.expect).slice(0, 64))} cannot be met`), null, true)
  })
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => { socket.destroy() })
    endWithError(socket, rampError('RAMP_ERR_CLIENT_CONNECT', 'CONNECT is not served by this proxy'))
  })
  server.on('clientError', clientErrorHandler(rejected))
  limitServer(server, limits, rejected)
  return { server, h2 }
}
