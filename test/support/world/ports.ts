import { createServer } from 'node:net'

/**
 * A loopback port nothing listens on at this moment: bound and released. For a backend that
 * refuses connections, or a program that must be told its port before it starts.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The URL of a backend that refuses every connection. */
export async function refusingUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}
