import { METHODS } from 'node:http'
import { test } from 'node:test'
import { header, rawRequest, valuesOf } from '../../support/wire/raw-client.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, transparency: any method Node's parser accepts is forwarded as it came, and the
 * client gets the backend's answer. CONNECT is left out: Node hands it to the server's
 * 'connect' event as a tunnel request, it is not a request a reverse proxy forwards.
 */
const methods = METHODS.filter((m) => m !== 'CONNECT')

/** Methods sent with a small body, as WebDAV, CalDAV and PATCH clients do. */
const withBody = new Set(['POST', 'PUT', 'PATCH', 'PROPFIND', 'PROPPATCH', 'REPORT', 'SEARCH', 'LOCK', 'MKCALENDAR', 'QUERY', 'ACL', 'BIND', 'REBIND', 'UNBIND'])

test('every method Node parses (PROPFIND, MKCOL, PURGE, REPORT, SEARCH, PATCH, OPTIONS...) reaches the backend as sent, and the client gets the backend\'s answer', async (t) => {
  const be = await recorder(t, (req, res) => {
    req.resume()
    req.on('end', () => {
      const body = `answered ${req.method} ${req.url}`
      res.writeHead(207, { 'x-method': req.method, 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) })
      res.end(req.method === 'HEAD' ? undefined : body)
    })
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })

  const failures: string[] = []
  for (const method of methods) {
    const url = `/dav/${method.toLowerCase()}/item.ics?depth=1`
    const body = withBody.has(method) ? `<?xml version="1.0"?><${method.toLowerCase()}/>` : ''
    const request = `${method} ${url} HTTP/1.1\r\nHost: dav.example\r\nDepth: 1\r\n${body === '' ? '' : `Content-Type: application/xml\r\nContent-Length: ${body.length}\r\n`}\r\n${body}`
    const before = be.traffic().length
    let res
    try {
      res = await rawRequest(t, w.urls.main, request, { head: method === 'HEAD', timeoutMs: 3000 })
    } catch (err) {
      failures.push(`${method}: ${(err as Error).message}`)
      continue
    }
    const got = be.traffic().slice(before)
    const expected = `answered ${method} ${url}`
    const problems: string[] = []
    if (res.status !== 207) problems.push(`client got ${res.status} ${excerpt(res.body, 70)}`)
    else {
      if (header(res, 'x-method')[0] !== method) problems.push(`client x-method ${JSON.stringify(header(res, 'x-method'))}`)
      if (method !== 'HEAD' && res.body.toString('latin1') !== expected) problems.push(`client body ${excerpt(res.body, 70)}`)
    }
    if (got.length !== 1) problems.push(`backend saw ${got.length} requests`)
    const s = got[0]
    if (s !== undefined) {
      if (s.method !== method) problems.push(`backend method ${s.method}`)
      if (s.url !== url) problems.push(`backend url ${JSON.stringify(s.url)}`)
      if (s.body.toString('latin1') !== body) problems.push(`backend body ${JSON.stringify(s.body.toString('latin1'))}`)
      if (valuesOf(s.rawHeaders, 'depth').join() !== '1') problems.push(`backend Depth ${JSON.stringify(valuesOf(s.rawHeaders, 'depth'))}`)
      if (body !== '' && valuesOf(s.rawHeaders, 'content-length').join() !== String(body.length)) problems.push(`backend content-length ${JSON.stringify(valuesOf(s.rawHeaders, 'content-length'))}`)
    }
    if (problems.length > 0) failures.push(`${method}: ${problems.join('; ')}`)
  }
  noProblems(failures, 'methods not forwarded transparently')
})
