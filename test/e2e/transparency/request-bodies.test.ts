import assert from 'node:assert/strict'
import { test } from 'node:test'
import { selfSigned } from '../../support/certs.js'
import { h2session, tlsListener } from '../../support/wire/h2.js'
import { lines, rawRequest, valuesOf } from '../../support/wire/raw-client.js'
import { sleep, within } from '../../support/world/eventually.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, transparency: a body is forwarded on any method (RFC 9110 gives GET and DELETE
 * bodies no meaning, but does not forbid them, and search APIs send them), and an HTTP/2
 * request body needs no content-length.
 */

for (const method of ['GET', 'DELETE']) {
  test(`a ${method} with a body: the backend receives the body and its content-length`, async (t) => {
    const be = await recorder(t)
    const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
    const body = '{"query":{"match":{"title":"ramp"}},"size":3}'
    const res = await rawRequest(t, w.urls.main, `${method} /index/_search?pretty HTTP/1.1\r\nHost: search.example\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    assert.equal(res.status, 200, `client got ${res.status} ${excerpt(res.body)}`)
    assert.equal(res.body.toString(), 'ok')
    const [seen] = be.traffic()
    assert.ok(seen !== undefined, 'the request reached the backend')
    assert.equal(seen.method, method)
    assert.equal(seen.url, '/index/_search?pretty')
    assert.deepEqual(valuesOf(seen.rawHeaders, 'content-length'), [String(body.length)], `backend header lines: ${JSON.stringify(lines(seen.rawHeaders))}`)
    assert.deepEqual(valuesOf(seen.rawHeaders, 'content-type'), ['application/json'])
    assert.equal(seen.body.toString('latin1'), body, 'the body bytes, as sent')
    assert.equal(seen.complete, true)
  })
}

test('an HTTP/2 request body sent without content-length reaches the backend whole (3000 bytes), with or without a content-type', async (t) => {
  const be = await recorder(t)
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}stable: { name: v1, backends: ["${be.url}"] }\n` })
  const session = await h2session(t, w.urls.main, cert.cert)
  const body = Buffer.alloc(3000)
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 13) & 0xff

  const problems: string[] = []
  for (const [name, extra] of [['with content-type', { 'content-type': 'application/octet-stream' }], ['without content-type', {}]] as const) {
    const path = `/h2/upload?case=${name.replace(/ /g, '-')}`
    const before = be.traffic().length
    const stream = session.request({ ':method': 'POST', ':path': path, ...extra }, { endStream: false })
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      let status = 0
      let text = ''
      stream.on('response', (h) => { status = Number(h[':status']) })
      stream.on('data', (c: Buffer) => { text += c.toString() })
      stream.on('end', () => resolve({ status, body: text }))
      stream.on('error', reject)
    })
    // Three DATA frames, the last with END_STREAM, and no content-length anywhere.
    stream.write(body.subarray(0, 1000))
    await sleep(20)
    stream.write(body.subarray(1000, 2000))
    await sleep(20)
    stream.end(body.subarray(2000))
    const res = await answer
    if (res.status !== 200) { problems.push(`${name}: client got ${res.status} ${excerpt(res.body)}`); continue }
    await within(1000, () => be.traffic()[before]?.ended === true)
    const seen = be.traffic()[before]
    if (seen === undefined) { problems.push(`${name}: nothing reached the backend`); continue }
    if (seen.method !== 'POST' || seen.url !== path) problems.push(`${name}: backend saw ${seen.method} ${seen.url}`)
    if (seen.body.length !== 3000) problems.push(`${name}: backend got ${seen.body.length} bytes; header lines ${JSON.stringify(lines(seen.rawHeaders))}`)
    else if (!seen.body.equals(body)) problems.push(`${name}: backend got other bytes than sent`)
    if (!seen.complete) problems.push(`${name}: backend request not complete`)
  }
  noProblems(problems, 'h2 bodies without content-length')
})
