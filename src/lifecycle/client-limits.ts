import type { Server } from 'node:http'
import type { Config } from '../config/load.js'

/**
 * `clients` on a live Node server. Node reads each of these fields when it needs it (per
 * connection, per response, per timeout check), so a reload changes them without a new
 * server; `maxHeaderBytes` is fixed when the server is made and needs a restart.
 */
export function applyClientLimits(server: Server, clients: Config['clients']): void {
  server.headersTimeout = clients.headersTimeoutMs
  server.requestTimeout = clients.requestTimeoutMs
  server.keepAliveTimeout = clients.keepAliveTimeoutMs
  server.maxConnections = clients.maxConnections
  server.maxHeadersCount = clients.maxHeaderCount
}
