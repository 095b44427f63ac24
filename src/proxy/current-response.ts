import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * The response an HTTP/1 connection is writing now, if any. Node keeps it on the socket as
 * `_httpMessage` and offers no public way to reach it; ramp needs it where it holds only the
 * connection: a client error arriving mid-response, and a drain starting.
 */
export function currentResponse(socket: Duplex): ServerResponse | null {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? null
}
