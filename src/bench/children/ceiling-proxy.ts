// The in-Node ceiling: the fastest correct HTTP/1.1 proxy to one upstream that Node can run,
// so that ramp's overhead can be read against what any Node proxy must pay. A node:http
// server, one undici Pool, and `dispatch` with a handler that streams the response back.
// Usage: node children/ceiling-proxy.js <upstream url>; prints {"url":"..."}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool, type Dispatcher } from 'undici'
import { exitWithParent } from '../parent.js'

// RFC 9110 7.6.1: these describe one connection and are never forwarded.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

/** Raw header list minus hop-by-hop fields, and minus any field the Connection header names. */
function forwardable(raw: ReadonlyArray<string>): string[] {
  let named: Set<string> | null = null
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') {
      named ??= new Set()
      for (const n of raw[i + 1]!.split(',')) named.add(n.trim().toLowerCase())
    }
  }
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (!hopByHop.has(name) && named?.has(name) !== true) out.push(raw[i]!, raw[i + 1]!)
  }
  return out
}

/**
 * undici's core calls a handler without `onRequestStart` directly; a handler written
 * against the newer controller interface is wrapped, and its response headers parsed into
 * an object on every response. The raw interface is the cheaper one, hence used here.
 */
function streamBack(res: ServerResponse): Dispatcher.DispatchHandler {
  return {
    onConnect(abort) {
      res.once('close', () => { if (!res.writableFinished) abort() })
    },
    onHeaders(statusCode, rawHeaders, resume, statusText) {
      if (statusCode < 200) return true
      const headers = forwardable(rawHeaders.map((h) => h.toString('latin1')))
      res.writeHead(statusCode, statusText, headers)
      res.on('drain', resume)
      return true
    },
    onData(chunk) {
      return res.write(chunk)
    },
    onComplete() {
      res.end()
    },
    onError(err) {
      if (res.headersSent) res.destroy(err)
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway\n')
    },
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
}

const upstream = process.argv[2]
if (upstream === undefined) {
  process.stderr.write('usage: ceiling-proxy <upstream url>\n')
  process.exit(2)
}
// The same connection limit per backend as ramp's default (upstream.connectionsPerBackend).
const pool = new Pool(upstream, { connections: 256, pipelining: 1 })
const server = createServer((req, res) => {
  req.on('error', () => res.destroy())
  res.on('error', () => req.destroy())
  pool.dispatch({
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: forwardable(req.rawHeaders),
    body: hasBody(req) ? req : null,
  }, streamBack(res))
})
server.on('clientError', (_err, socket) => socket.destroy())
exitWithParent(async () => {
  await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })
  await pool.close()
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
})
