import { test, type TestContext } from 'node:test'
import { selfSigned } from '../../support/certs.js'
import { h2session, tlsListener } from '../../support/wire/h2.js'
import { rawBackend } from '../../support/wire/raw-backend.js'
import { header, rawRequest } from '../../support/wire/raw-client.js'
import { world } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, errors: every response ramp makes itself carries `x-ramp-error: RAMP_ERR_...` and
 * ramp's text/plain body that starts with the status; no fastify or reply-from shape reaches a
 * client (no JSON `{"statusCode":..,"error":..}`, no `Route X:/ not found`, no FST_* codes).
 */

/** What is wrong with an answer that should be ramp's own error `code` with `status`. */
function ownErrorProblems(what: string, got: { status: number; code: string[]; contentType: string[]; body: string }, status: number, code: string): string[] {
  const problems: string[] = []
  if (got.status !== status) problems.push(`status ${got.status}, not ${status}`)
  if (got.code.join() !== code) problems.push(`x-ramp-error ${JSON.stringify(got.code)}, not ${code}`)
  if (!/^text\/plain\b/.test(got.contentType.join())) problems.push(`content-type ${JSON.stringify(got.contentType)}`)
  if (!got.body.startsWith(`${status} `)) problems.push(`body does not start with "${status} "`)
  if (/^\s*\{/.test(got.body) || /"statusCode"\s*:|"error"\s*:/.test(got.body)) problems.push('a JSON (fastify) error body')
  if (/Route [A-Z-]+:\S* not found/.test(got.body)) problems.push('fastify\'s "Route X:/ not found"')
  if (/FST_[A-Z_]+/.test(got.body)) problems.push('a fastify / reply-from error code in the body')
  return problems.length === 0 ? [] : [`${what}: ${problems.join('; ')} (body ${excerpt(got.body, 120)})`]
}

async function h1Error(t: TestContext, url: string, request: string): Promise<{ status: number; code: string[]; contentType: string[]; body: string }> {
  const res = await rawRequest(t, url, request, { timeoutMs: 5000 })
  return { status: res.status, code: header(res, 'x-ramp-error'), contentType: header(res, 'content-type'), body: res.body.toString() }
}

test('a bad Host (two Host lines) gets ramp\'s 400: x-ramp-error and a text/plain body starting with the status', async (t) => {
  const be = await rawBackend(t, (_head, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const got = await h1Error(t, w.urls.main, 'GET / HTTP/1.1\r\nHost: svc.example\r\nHost: admin.internal\r\n\r\n')
  noProblems([...ownErrorProblems('two Host lines', got, 400, 'RAMP_ERR_CLIENT_BAD_REQUEST'), ...(be.heads.length === 0 ? [] : ['the request reached the backend'])], 'bad Host')
})

test('an expectation other than 100-continue gets ramp\'s 417, and CONNECT ramp\'s 405, neither reaching the backend', async (t) => {
  const be = await rawBackend(t, (_head, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const expectation = await h1Error(t, w.urls.main, 'POST /x HTTP/1.1\r\nHost: svc.example\r\nExpect: magic\r\nContent-Length: 2\r\n\r\n')
  const connect = await h1Error(t, w.urls.main, 'CONNECT svc.example:443 HTTP/1.1\r\nHost: svc.example:443\r\n\r\n')
  noProblems([
    ...ownErrorProblems('Expect: magic', expectation, 417, 'RAMP_ERR_CLIENT_EXPECTATION'),
    ...ownErrorProblems('CONNECT', connect, 405, 'RAMP_ERR_CLIENT_CONNECT'),
    ...(be.heads.length === 0 ? [] : ['a request reached the backend']),
  ], 'expectation and CONNECT')
})

test('upstream failures ramp answers itself (reset, no answer in time, not HTTP, refused connection) have x-ramp-error and ramp\'s text/plain body, over HTTP/1.1 and HTTP/2', async (t) => {
  // One backend address whose behaviour each case sets; stopped last, so that it refuses.
  let mode: 'reset' | 'silent' | 'garbage' = 'reset'
  const be = await rawBackend(t, (_head, socket) => {
    if (mode === 'reset') socket.resetAndDestroy()
    else if (mode === 'garbage') socket.end('this is not HTTP\r\n\r\n')
  })
  const cert = selfSigned(t)
  // Retries off and outlier detection off: one try, and the backend is never ejected, so each
  // answer is the failure itself (not a panic or a fallback).
  const config = `stable: { name: v1, backends: ["${be.url}"] }\nupstream: { headersTimeoutMs: 300 }\nretry: { attempts: 1 }\noutlier: { enabled: false }\n`
  const h1 = await world(t, { config: `listen: { port: 0 }\n${config}` })
  const h2 = await world(t, { config: `${tlsListener(cert)}${config}` })
  const cases = [
    { name: 'a backend that resets before answering', set: () => { mode = 'reset' }, status: 502, code: 'RAMP_ERR_UPSTREAM_RESET' },
    { name: 'a backend that never answers', set: () => { mode = 'silent' }, status: 504, code: 'RAMP_ERR_UPSTREAM_TIMEOUT' },
    { name: 'a backend that answers something else than HTTP', set: () => { mode = 'garbage' }, status: 502, code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE' },
    { name: 'a refused connection (the version\'s only backend is down)', set: () => be.close(), status: 502, code: 'RAMP_ERR_UPSTREAM_CONNECT' },
  ]
  const problems: string[] = []
  for (const c of cases) {
    await Promise.resolve(c.set())
    for (const request of ['GET /thing HTTP/1.1\r\nHost: svc.example\r\n\r\n', 'PROPFIND /dav/ HTTP/1.1\r\nHost: svc.example\r\nDepth: 1\r\n\r\n']) {
      try {
        problems.push(...ownErrorProblems(`${c.name}, HTTP/1.1 ${request.slice(0, request.indexOf(' '))}`, await h1Error(t, h1.urls.main, request), c.status, c.code))
      } catch (err) {
        problems.push(`${c.name}, HTTP/1.1: ${(err as Error).message}`)
      }
    }
    const session = await h2session(t, h2.urls.main, cert.cert)
    const got = await new Promise<{ status: number; code: string[]; contentType: string[]; body: string }>((resolve) => {
      const stream = session.request({ ':method': 'GET', ':path': '/thing' })
      let status = 0
      let code: string[] = []
      let contentType: string[] = []
      let body = ''
      stream.on('response', (h) => {
        status = Number(h[':status'])
        code = h['x-ramp-error'] === undefined ? [] : [String(h['x-ramp-error'])]
        contentType = h['content-type'] === undefined ? [] : [String(h['content-type'])]
      })
      stream.on('data', (chunk: Buffer) => { body += chunk.toString() })
      stream.on('end', () => resolve({ status, code, contentType, body }))
      stream.on('error', (err: Error) => resolve({ status, code, contentType, body: `${body}[stream error ${err.message}]` }))
    })
    problems.push(...ownErrorProblems(`${c.name}, HTTP/2`, got, c.status, c.code))
    session.close()
  }
  noProblems(problems, 'errors ramp makes itself')
})
