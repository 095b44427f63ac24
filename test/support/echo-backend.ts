import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { TestContext } from 'node:test'

/** A backend that answers with the headers it received, and hop-by-hop headers of its own. */
export async function echoBackend(t: TestContext): Promise<{ url: string; last: () => IncomingHttpHeaders }> {
  let last: IncomingHttpHeaders = {}
  const server = createServer((req, res) => {
    last = req.headers
    res.writeHead(200, {
      'content-type': 'application/json',
      connection: 'x-upstream-secret',
      'x-upstream-secret': 'hidden',
      'keep-alive': 'timeout=1234',
      'proxy-connection': 'keep-alive',
      trailer: 'x-checksum',
      upgrade: 'h2c',
      'x-upstream-visible': 'yes',
    })
    res.end(JSON.stringify(req.headers))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections() }))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, last: () => last }
}
