import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import type { TestContext } from 'node:test'
import type { SelfSigned } from '../certs.js'

/** A main listener with TLS and HTTP/2 on `cert`, and the `clients` block (YAML) after it. */
export const tlsListener = (cert: SelfSigned, clients = ''): string =>
  `listen: { port: 0, http2: true, tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\n${clients}`

/** An HTTP/2 session to `url`, connected, destroyed after the test: TLS trusting `ca`, or h2c (prior knowledge) for an http:// URL. */
export async function h2session(t: TestContext, url: string, ca?: Buffer): Promise<ClientHttp2Session> {
  const session = h2connect(url, ca === undefined ? {} : { ca })
  session.on('error', () => undefined)
  t.after(() => { if (!session.destroyed) session.destroy() })
  await new Promise<void>((resolve, reject) => { session.once('connect', () => resolve()); session.once('error', reject) })
  return session
}

/** One h2 request: its response headers and the whole body. */
export function h2request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined })
    let response: IncomingHttpHeaders = {}
    let text = ''
    stream.on('response', (h) => { response = h })
    stream.on('data', (c: Buffer) => { text += c.toString() })
    stream.on('end', () => resolve({ headers: response, body: text }))
    stream.on('error', reject)
    if (body !== undefined) stream.end(body)
  })
}
