import assert from 'node:assert/strict'
import { test } from 'node:test'
import { header, rawRequest } from '../../support/wire/raw-client.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { excerpt } from './report.js'

/**
 * Issue 11, transparency: 1xx informational responses are passed on. A backend that sends
 * `103 Early Hints` (res.writeEarlyHints) before its 200: the HTTP/1.1 client sees the 103
 * with its Link header, then the 200.
 */

const link = '</style.css>; rel=preload; as=style'

test('a 103 Early Hints with its Link header reaches an HTTP/1.1 client before the 200', async (t) => {
  const be = await recorder(t, (req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeEarlyHints({ link })
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html', link }).end('<p>page</p>'), 50)
    })
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const direct = await rawRequest(t, be.url, 'GET /page HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  assert.deepEqual(direct.informational.map((i) => i.status), [103], 'the backend itself sends the 103 (else this test tests nothing)')
  const res = await rawRequest(t, w.urls.main, 'GET /page HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  assert.equal(res.status, 200, `client got ${res.status} ${excerpt(res.body)}`)
  assert.equal(res.body.toString(), '<p>page</p>')
  assert.deepEqual(res.informational.map((i) => i.status), [103], 'the 1xx responses before the 200')
  assert.deepEqual(header({ headerLines: res.informational[0]?.headerLines ?? [] }, 'link'), [link], 'the 103\'s Link header')
})
