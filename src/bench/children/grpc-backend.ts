// A gRPC backend for the overhead scenario's gRPC rows: an h2c server answering every call
// as a unary method would, its request message echoed and grpc-status 0 in the trailers.
// node:http2 alone, so the shipped bench needs no gRPC library. Usage: node
// children/grpc-backend.js; prints {"url":"h2c://..."}.
import { createServer, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { exitWithParent } from '../parent.js'

const server = createServer()
const sessions = new Set<ServerHttp2Session>()
server.on('session', (s: ServerHttp2Session) => {
  sessions.add(s)
  s.on('close', () => sessions.delete(s))
  s.on('error', () => undefined)
})
server.on('stream', (stream: ServerHttp2Stream) => {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  stream.on('error', () => undefined)
  stream.on('end', () => {
    if (stream.destroyed) return
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
    stream.end(Buffer.concat(chunks))
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `h2c://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`)
})
exitWithParent(() => new Promise((resolve) => {
  for (const s of sessions) s.close()
  server.close(() => resolve())
}))
