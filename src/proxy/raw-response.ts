import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http'
import type { Duplex } from 'node:stream'
import type { RampError } from '../errors.js'
import { errorBody } from './respond.js'

/**
 * HTTP/1.1 written by hand on a socket that Node's server gave up at the upgrade: the
 * answer to an upgrade that does not become a tunnel has no ServerResponse to go through.
 */
export function responseHead(status: number, statusText: string | undefined, headers: OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${status} ${statusText ?? STATUS_CODES[status] ?? ''}\r\n`
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`
  }
  return `${head}\r\n`
}

/** The same answer as a listener's error reply (status, one-line body, code in x-ramp-error), then the end of the connection. */
export function endWithError(socket: Duplex, err: RampError, extra: OutgoingHttpHeaders = {}): void {
  if (!socket.writable) return
  const body = errorBody(err)
  socket.write(responseHead(err.statusCode, undefined, {
    ...extra,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-ramp-error': err.code,
    connection: 'close',
  }), 'latin1')
  socket.end(body)
}
