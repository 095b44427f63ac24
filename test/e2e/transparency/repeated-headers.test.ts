import assert from 'node:assert/strict'
import { test } from 'node:test'
import { header, rawRequest } from '../../support/wire/raw-client.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { excerpt } from './report.js'

/**
 * Issue 11, transparency: response header fields that come more than once are kept as they
 * came, each on its own line and in order. Set-Cookie must never be joined (its values hold
 * commas, RFC 6265 3); other repeated fields are also left as the backend wrote them.
 */

const cookies = ['session=a1; Path=/; HttpOnly', 'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 'lang=en; SameSite=Lax'] as const

test('three Set-Cookie lines and two x-multi lines reach the client as separate lines, in order', async (t) => {
  const be = await recorder(t, (req, res) => {
    req.resume()
    req.on('end', () => {
      // The flat array form writes each pair as its own line, interleaved as given.
      res.writeHead(200, [
        'Content-Type', 'text/plain',
        'Set-Cookie', cookies[0],
        'X-Multi', 'first',
        'Set-Cookie', cookies[1],
        'X-Multi', 'second, with a comma',
        'Set-Cookie', cookies[2],
        'Content-Length', '2',
      ])
      res.end('ok')
    })
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const res = await rawRequest(t, w.urls.main, 'GET /login HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  assert.equal(res.status, 200, `client got ${res.status} ${excerpt(res.body)}`)
  assert.equal(res.body.toString(), 'ok')
  assert.deepEqual(header(res, 'set-cookie'), cookies, `header lines ${JSON.stringify(res.headerLines)}`)
  assert.deepEqual(header(res, 'x-multi'), ['first', 'second, with a comma'], `header lines ${JSON.stringify(res.headerLines)}`)
})
