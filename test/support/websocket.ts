// WebSocket backends and clients for the upgrade tests, over real sockets on 127.0.0.1.
import type { IncomingHttpHeaders, Server } from 'node:http'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Server as NetServer, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'

export interface WsBackend {
  url: string
  server: Server
  /** Headers of every upgrade request the backend got. */
  heads: IncomingHttpHeaders[]
  connections(): Promise<number>
}

/** Listens on an ephemeral loopback port; at the end every socket it accepted is destroyed (upgraded ones are out of closeAllConnections' reach). */
export async function listen(t: TestContext, server: NetServer): Promise<number> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => {
    server.close(() => r())
    for (const s of sockets) s.destroy()
  }))
  return (server.address() as { port: number }).port
}

export function connectionsOf(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))))
}

/**
 * A WebSocket echo backend: each message comes back as `NAME:message`, `bye` makes it close
 * the WebSocket; plain requests (readiness) get 200.
 */
export async function wsBackend(t: TestContext, name: string, tls?: { cert: Buffer; key: Buffer }): Promise<WsBackend> {
  const handler = (_req: unknown, res: { end(s: string): void }): void => res.end('ok')
  const server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler) as unknown as Server
  const wss = new WebSocketServer({ server })
  const heads: IncomingHttpHeaders[] = []
  wss.on('connection', (ws, req) => {
    heads.push(req.headers)
    ws.on('message', (data: Buffer) => {
      if (String(data) === 'bye') ws.close(1000, 'bye')
      else ws.send(`${name}:${String(data)}`)
    })
  })
  const port = await listen(t, server)
  return { url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, server, heads, connections: () => connectionsOf(server) }
}

export function wsUrl(httpUrl: string, path = '/chat'): string {
  return `${httpUrl.replace(/^http/, 'ws')}${path}`
}

export function open(t: TestContext, url: string, options: ConstructorParameters<typeof WebSocket>[1] = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options)
  t.after(() => ws.terminate())
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req: unknown, res: { statusCode: number }) => reject(new Error(`upgrade answered ${res.statusCode}`)))
  })
}

export function reply(ws: WebSocket, message: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve(String(data)))
    ws.send(message)
  })
}

export function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code: number) => resolve(code)))
}

