import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import type { Backend } from '../pool/backend.js'

export interface UpgradeUpstreamOptions {
  connectTimeoutMs: number
  headersTimeoutMs: number
  /** False only with upstream.tls.insecureSkipVerify. */
  rejectUnauthorized: boolean
}

/** What became of the upgrade request; exactly one of these is called. */
export interface UpgradeOutcome {
  /** 101: `socket` has no error handler yet and must get one at once. */
  upgraded(res: IncomingMessage, socket: Socket, head: Buffer): void
  /** Any other answer, with its body still to read. */
  answered(res: IncomingMessage): void
  failed(err: Error): void
}

/**
 * Sends an upgrade request to a backend on a connection of its own (an upgraded connection
 * never goes back to a pool), with the same connect and header timeouts and certificate
 * checks as the undici Agent gives plain requests. As with undici, the TLS server name comes
 * from the Host header sent. Timeouts fail with undici's codes so that
 * src/proxy/upstream-errors.ts maps them as it maps a plain request's.
 */
export function requestUpgrade(backend: Backend, method: string, path: string, headers: OutgoingHttpHeaders, opts: UpgradeUpstreamOptions, outcome: UpgradeOutcome): ClientRequest {
  const url = new URL(backend.origin)
  const tls = url.protocol === 'https:'
  const req = (tls ? httpsRequest : httpRequest)({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
    method,
    path,
    headers,
    agent: false,
    ...(tls ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
  })
  // An upgrade request has no body of its own: whatever follows its head is the tunnel's,
  // so Node must not frame it as chunked (it would for a POST without a length).
  req.useChunkedEncodingByDefault = false
  let settled = false
  const fail = (code: string, message: string): void => {
    req.destroy(Object.assign(new Error(message), { code }))
  }
  let timer = setTimeout(fail, opts.connectTimeoutMs, 'UND_ERR_CONNECT_TIMEOUT', `no connection within ${opts.connectTimeoutMs} ms`)
  req.once('socket', (socket) => {
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      timer = setTimeout(fail, opts.headersTimeoutMs, 'UND_ERR_HEADERS_TIMEOUT', `no response headers within ${opts.headersTimeoutMs} ms`)
    })
  })
  req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
    clearTimeout(timer)
    settled = true
    outcome.upgraded(res, socket, head)
  })
  req.once('response', (res: IncomingMessage) => {
    clearTimeout(timer)
    settled = true
    outcome.answered(res)
  })
  req.on('error', (err) => {
    clearTimeout(timer)
    if (settled) return
    settled = true
    outcome.failed(err)
  })
  req.end()
  return req
}
