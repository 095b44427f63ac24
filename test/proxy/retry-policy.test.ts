import assert from 'node:assert/strict'
import type { IncomingHttpHeaders } from 'node:http'
import { test } from 'node:test'
import { parseConfig } from '../../src/config/load.js'
import { grpcReplayable, replayable, retryPolicy, retryReason, type RetryReason } from '../../src/proxy/retry-policy.js'

function policy(retry = '{}', grpc = '{}') {
  const config = parseConfig(`listen: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:1"] }\nretry: ${retry}\ngrpc: ${grpc}\n`, null, {})
  return retryPolicy(config.retry, config.grpc.retry)
}

const defaults = policy()
const withPost = policy('{ methods: [GET, POST, PATCH], nonIdempotent: true }')
const postListedOnly = policy('{ methods: [GET, POST] }')

// [name, policy, method, headers, body stream forwarded, replayable]
const replays: Array<[string, ReturnType<typeof policy>, string, IncomingHttpHeaders, boolean, boolean]> = [
  ['a GET without a body', defaults, 'GET', {}, false, true],
  ['a PUT with content-length 0', defaults, 'PUT', { 'content-length': '0' }, false, true],
  ['a PUT with content-length 0 and its empty body stream', defaults, 'PUT', { 'content-length': '0', 'content-type': 'application/json' }, true, true],
  ['a GET with a body', defaults, 'GET', { 'content-length': '5' }, false, false],
  ['a DELETE with a chunked body', defaults, 'DELETE', { 'transfer-encoding': 'chunked' }, true, false],
  ['a body streamed with neither header (HTTP/2)', defaults, 'PUT', {}, true, false],
  ['a POST by default', defaults, 'POST', { 'content-length': '0' }, false, false],
  ['a POST listed without nonIdempotent', postListedOnly, 'POST', { 'content-length': '0' }, false, false],
  ['a POST listed with nonIdempotent', withPost, 'POST', { 'content-length': '0' }, false, true],
  ['a PATCH listed with nonIdempotent', withPost, 'PATCH', {}, false, true],
  ['a POST with a body even with nonIdempotent', withPost, 'POST', { 'content-length': '10' }, true, false],
  ['a method not listed', withPost, 'PUT', {}, false, false],
]

for (const [name, p, method, headers, streamed, expected] of replays) {
  test(`${name} is ${expected ? '' : 'not '}replayable`, () => {
    assert.equal(replayable(p, method, headers, streamed), expected)
  })
}

const coded = (code: string, cause?: unknown) => Object.assign(new Error(code, { cause }), { code })

// [name, error, status, reason]
const reasons: Array<[string, unknown, number | undefined, RetryReason | undefined]> = [
  ['a refused connection', coded('ECONNREFUSED'), undefined, 'connect'],
  ['a connect timeout', coded('UND_ERR_CONNECT_TIMEOUT'), undefined, 'connect'],
  ['a TLS certificate failure', coded('CERT_HAS_EXPIRED'), undefined, 'connect'],
  ['a reset', coded('ECONNRESET'), undefined, 'reset'],
  ['a socket closed before the headers', coded('UND_ERR_SOCKET'), undefined, 'reset'],
  ['a reset wrapped by reply-from', coded('FST_REPLY_FROM_INTERNAL_SERVER_ERROR', coded('ECONNRESET')), undefined, 'reset'],
  ['a headers timeout', coded('UND_ERR_HEADERS_TIMEOUT'), undefined, undefined],
  ['ETIMEDOUT', coded('ETIMEDOUT'), undefined, undefined],
  ['ramp closing its own Agent', coded('UND_ERR_CLOSED'), undefined, undefined],
  ['an unknown error', new Error('boom'), undefined, undefined],
  ['a 503', undefined, 503, 'status'],
  ['a 502', undefined, 502, 'status'],
  ['a 500 (not in onStatus)', undefined, 500, undefined],
  ['a 200', undefined, 200, undefined],
]

for (const [name, err, status, expected] of reasons) {
  test(`${name} is ${expected === undefined ? 'not retried' : `retried as ${expected}`}`, () => {
    assert.equal(retryReason(defaults, err, status, -1), expected)
  })
}

test('onStatus replaces the retried statuses', () => {
  const p = policy('{ onStatus: [500] }')
  assert.equal(retryReason(p, undefined, 500, -1), 'status')
  assert.equal(retryReason(p, undefined, 503, -1), undefined)
})

test('a trailers-only gRPC answer is retried after the codes of grpc.retry.onCodes, UNAVAILABLE by default', () => {
  assert.equal(retryReason(defaults, undefined, 200, 14), 'grpc_status')
  assert.equal(retryReason(defaults, undefined, 200, 13), undefined, 'INTERNAL')
  assert.equal(retryReason(defaults, undefined, 200, 0), undefined, 'OK')
  const p = policy('{}', '{ retry: { onCodes: [RESOURCE_EXHAUSTED, ABORTED] } }')
  assert.equal(retryReason(p, undefined, 200, 8), 'grpc_status')
  assert.equal(retryReason(p, undefined, 200, 10), 'grpc_status')
  assert.equal(retryReason(p, undefined, 200, 14), undefined, 'UNAVAILABLE is no longer listed')
})

const safe = policy('{}', '{ retry: { methods: [/shop.Cart/Get, /shop.Catalog/*] } }')

// [name, path, reason, body read, body kept, retried]
const grpcCases: Array<[string, string, RetryReason, boolean, boolean, boolean]> = [
  ['a call after a connect failure', '/shop.Cart/Add', 'connect', false, true, true],
  ['a call after a connect failure with its body read', '/shop.Cart/Add', 'connect', true, false, false],
  ['a call after a reset', '/shop.Cart/Add', 'reset', false, true, false],
  ['a call after a 503', '/shop.Cart/Add', 'status', false, true, false],
  ['a call after UNAVAILABLE', '/shop.Cart/Add', 'grpc_status', true, true, false],
  ['a safe method after a reset', '/shop.Cart/Get', 'reset', true, true, true],
  ['a safe method after UNAVAILABLE', '/shop.Cart/Get', 'grpc_status', true, true, true],
  ['a safe method after a 503', '/shop.Cart/Get', 'status', true, true, true],
  ['a method of a safe service after UNAVAILABLE', '/shop.Catalog/List', 'grpc_status', true, true, true],
  ['a safe method whose body outgrew the buffer', '/shop.Cart/Get', 'reset', true, false, false],
  ['a method of another service with a safe one\'s name', '/shop.Other/Get', 'reset', true, true, false],
  ['a path below a safe service', '/shop.Catalog/List/more', 'reset', true, true, false],
]

for (const [name, path, reason, bodyRead, bodyKept, expected] of grpcCases) {
  test(`gRPC: ${name} is ${expected ? '' : 'not '}retried`, () => {
    assert.equal(grpcReplayable(safe, reason, { path, bodyRead, bodyKept }), expected)
  })
}

test('gRPC: a method name that is not /package.Service/Method or /package.Service/* is refused with what to write', () => {
  for (const bad of ['shop.Cart/Get', '/shop.Cart', '/shop.Cart/Get/x', '/*/Get', '/shop.Cart/G*']) {
    assert.throws(() => policy('{}', `{ retry: { methods: ["${bad}"] } }`), (err: Error) => {
      assert.match(err.message, /grpc\.retry\.methods\[0\]: .* is not a gRPC method: write \/package\.Service\/Method/)
      return true
    }, bad)
  }
})
