/**
 * The part of the `ws` package the tests use. `ws` comes with @fastify/http-proxy and has
 * no type declarations of its own; @types/ws is not a dependency of ramp.
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events'
  import type { IncomingMessage, OutgoingHttpHeaders, Server } from 'node:http'
  import type { SecureContextOptions } from 'node:tls'

  export class WebSocket extends EventEmitter {
    constructor(url: string, options?: { headers?: OutgoingHttpHeaders; ca?: SecureContextOptions['ca']; rejectUnauthorized?: boolean })
    readonly readyState: number
    send(data: string | Buffer): void
    close(code?: number, reason?: string): void
    terminate(): void
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: { server: Server } | { noServer: true })
    readonly clients: Set<WebSocket>
    on(event: 'connection', listener: (socket: WebSocket, request: IncomingMessage) => void): this
    close(callback?: () => void): void
  }
}
