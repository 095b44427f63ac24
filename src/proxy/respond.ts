import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse, OutgoingHttpHeaders } from 'node:http2'
import { grpcCodeOf, type RampError } from '../errors.js'
import { grpcMessage, isGrpcContentType } from '../grpc/status.js'

/** A client's response on any listener: HTTP/1.x or an HTTP/2 stream through Node's compat API. */
export type ClientResponse = ServerResponse | Http2ServerResponse

/**
 * Every answer ramp makes itself on the request path has this shape: the error's status, its
 * code in `x-ramp-error`, and a one-line text body that says what failed. `setCookie` is a
 * sticky newcomer's bucket cookie, kept so that the client's next try lands on the same side.
 * A response already under way cannot become an error: it is cut instead.
 */
/** The body of every answer ramp makes itself: the status and what failed, on one line. */
export function errorBody(err: RampError): string {
  return `${err.statusCode} ${err.message}\n`
}

export function sendError(res: ClientResponse, err: RampError, setCookie: string | null = null, close = false): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (res.req.httpVersionMajor !== 1 && isGrpcContentType(res.req.headers['content-type'])) return grpcError(res, err, setCookie)
  const body = errorBody(err)
  const headers: string[] = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(Buffer.byteLength(body)), 'x-ramp-error', err.code]
  if (setCookie !== null) headers.push('set-cookie', setCookie)
  // HTTP/2 has no Connection header: its stream ends with the response anyway.
  if (close && res.req.httpVersionMajor === 1) headers.push('connection', 'close')
  res.writeHead(err.statusCode, headers as unknown as Record<string, string>)
  res.end(body)
}

/**
 * A gRPC client reads a call's outcome from `grpc-status`, never from a body: ramp's own
 * failure is a trailers-only response (HTTP 200, one HEADERS frame ending the stream) with the
 * code and the message, and `x-ramp-error` as on every answer ramp makes.
 */
function grpcError(res: ClientResponse, err: RampError, setCookie: string | null): void {
  const headers: string[] = ['content-type', 'application/grpc', 'grpc-status', String(grpcCodeOf(err)), 'grpc-message', grpcMessage(err.message), 'x-ramp-error', err.code]
  if (setCookie !== null) headers.push('set-cookie', setCookie)
  endWithHeaders(res as Http2ServerResponse, 200, headers)
}

/**
 * An HTTP/2 response that is its headers alone, sent as one HEADERS frame that ends the
 * stream. Node's compat `writeHead` + `end` sends the headers and then an empty DATA frame
 * to end it, which a gRPC client does not take for a trailers-only answer: it reads the
 * status only from the frame that ends the stream.
 */
export function endWithHeaders(res: Http2ServerResponse, status: number, flat: readonly string[]): void {
  const fields: OutgoingHttpHeaders = { ':status': status }
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase()
    const value = flat[i + 1] as string
    const prior = fields[name]
    fields[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [String(prior), value]
  }
  res.stream.respond(fields, { endStream: true })
  res.end()
}
