import { currentResponse } from './current-response.js'
import type { Duplex } from 'node:stream'
import { errorRegistry, type RampErrorCode } from '../errors.js'

/** The `reason` label of `ramp_client_rejections_total`. */
export type ClientRejection = 'bad_request' | 'headers_too_large' | 'timeout' | 'max_connections' | 'rapid_reset'

interface Answer { code: RampErrorCode; reason: ClientRejection; says: string }

const badRequest: Answer = { code: 'RAMP_ERR_CLIENT_BAD_REQUEST', reason: 'bad_request', says: 'the request is not valid HTTP/1.1' }

/**
 * What Node's parser and its timers report, by code. Everything llhttp rejects (both
 * Content-Length and Transfer-Encoding, differing Content-Lengths, a Transfer-Encoding that
 * does not end in chunked, bad chunk sizes, obsolete line folding, a bad header name) is a
 * plain 400: its `HPE_*` code goes in the body so a client's author can tell which.
 */
const byCode: Record<string, Answer> = {
  HPE_HEADER_OVERFLOW: { code: 'RAMP_ERR_CLIENT_HEADERS_TOO_LARGE', reason: 'headers_too_large', says: 'the request line and headers are larger than this listener takes' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'RAMP_ERR_CLIENT_TIMEOUT', reason: 'timeout', says: 'the request was not received in time' },
}

const statusText: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

function rawResponse(a: Answer, detail: string | undefined): string {
  const status = errorRegistry[a.code].status
  const body = `${status} ${a.says}${detail === undefined ? '' : ` (${detail})`}\n`
  return `HTTP/1.1 ${status} ${statusText[status] ?? ''}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-ramp-error: ${a.code}\r\n\r\n${body}`
}

/**
 * The servers' `clientError` handler (fastify's `clientErrorHandler`): a request Node could not
 * parse, or one too slow, gets a short answer and its connection is closed. Node has already
 * stopped parsing the connection, so nothing of it reaches routing or a backend after this.
 *
 * It writes only when no response has started on the socket: a keep-alive connection can
 * fail while the previous response is still streaming (a pipelined bad request, a bad chunk
 * in a body the backend answered early), and an answer written then would land inside that
 * response's body. fastify's default handler writes anyway; Node's own does not.
 */
export function clientErrorHandler(rejected: (reason: ClientRejection) => void): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return function onClientError(err, socket) {
    const code = err.code ?? ''
    // A socket error (a reset, a broken pipe) rather than a bad or late request: the client
    // is gone or going, there is no one to answer and nothing to count.
    if (socket.destroyed || (!code.startsWith('HPE_') && byCode[code] === undefined)) {
      socket.destroy()
      return
    }
    const answer = byCode[code] ?? badRequest
    rejected(answer.reason)
    const inFlight = currentResponse(socket)
    if (socket.writable && (inFlight === null || !inFlight.headersSent)) {
      socket.write(rawResponse(answer, answer === badRequest ? code : undefined))
    }
    socket.destroy()
  }
}
