import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import type { TestContext } from 'node:test'

export interface RawBackend {
  readonly url: string
  /** Request heads received (text up to the blank line), in order. */
  readonly heads: string[]
  /** Connections accepted so far. */
  connections: number
  /** Stops listening and cuts every connection: the port then refuses connections. */
  close(): Promise<void>
}

/**
 * A TCP server that hands each parsed request head to `answer` with the socket, so a test can
 * write any bytes back (no length, a cut body, a 304 with a length...). Request bodies are not
 * expected; keep-alive works when `answer` leaves the socket open.
 */
export async function rawBackend(t: TestContext, answer: (head: string, socket: Socket) => void): Promise<RawBackend> {
  const heads: string[] = []
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    b.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buf = ''
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1')
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end)
        buf = buf.slice(end + 4)
        heads.push(head)
        answer(head, socket)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => (closing ??= new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }))
  t.after(close)
  const b: RawBackend = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads, connections: 0, close }
  return b
}

/** The request line's target of a raw head. */
export function targetOf(head: string): string {
  return head.split('\r\n')[0]?.split(' ')[1] ?? ''
}
