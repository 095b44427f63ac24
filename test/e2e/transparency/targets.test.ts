import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rawRequest } from '../../support/wire/raw-client.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, transparency: the request target. An absolute-form target (RFC 9112 3.2.2: a
 * server must accept it) is forwarded in origin form; a path and query are forwarded byte for
 * byte as received: no dot-segment removal, no slash merging, no percent-decoding or case
 * change, no backslash rewriting. Raw sockets, since HTTP clients normalise what they send.
 */

test('an absolute-form target `GET http://svc.example/abs?x=1`: 200, and the backend sees the origin form /abs?x=1', async (t) => {
  const be = await recorder(t)
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const res = await rawRequest(t, w.urls.main, 'GET http://svc.example/abs?x=1 HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  assert.equal(res.status, 200, `client got ${res.status} ${excerpt(res.body)}`)
  assert.equal(res.body.toString(), 'ok', 'the backend\'s answer')
  const [seen, extra] = be.traffic()
  assert.equal(extra, undefined, 'one request reached the backend')
  assert.ok(seen !== undefined, 'the request reached the backend')
  assert.equal(seen.method, 'GET')
  assert.equal(seen.url, '/abs?x=1')
})

const paths = [
  '/x/../y/./z%2F?a=b+c',
  '/a\\b',
  '//double//slash',
  '/%7e/%7E',
  '/a/./b/../../c?q=%2e%2E&r=/../x',
  '/caf%C3%A9/%2f%2F?%41=%61',
]

test('paths and queries reach the backend byte for byte as sent: /x/../y/./z%2F?a=b+c, /a\\b, //double//slash, /%7e/%7E...', async (t) => {
  const be = await recorder(t)
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const problems: string[] = []
  for (const path of paths) {
    const before = be.traffic().length
    let res
    try {
      res = await rawRequest(t, w.urls.main, `GET ${path} HTTP/1.1\r\nHost: svc.example\r\n\r\n`, { timeoutMs: 3000 })
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`)
      continue
    }
    const got = be.traffic().slice(before)
    if (res.status !== 200) problems.push(`${path}: client got ${res.status} ${excerpt(res.body, 90)}`)
    if (got.length !== 1) problems.push(`${path}: ${got.length} requests reached the backend`)
    else if (got[0]?.url !== path) problems.push(`${path}: backend saw ${JSON.stringify(got[0]?.url)}`)
  }
  noProblems(problems, 'targets not forwarded as sent')
})
