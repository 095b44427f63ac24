import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rampError, grpcCodeOf, type RampErrorCode } from '../../src/errors.js'
import { defaultGrpcErrorCodes, grpcCodeOfHttp, grpcCodes, grpcFailureTable, grpcMessage, grpcStatusOf, isGrpcContentType } from '../../src/grpc/status.js'
import { grpcTimeoutMs } from '../../src/grpc/timeout.js'

const contentTypes = [
  { ct: 'application/grpc', grpc: true },
  { ct: 'application/grpc+proto', grpc: true },
  { ct: 'application/grpc+json', grpc: true },
  { ct: 'application/grpc;charset=utf-8', grpc: true },
  { ct: 'application/grpc-web', grpc: false },
  { ct: 'application/grpc-web+proto', grpc: false },
  { ct: 'application/grpcx', grpc: false },
  { ct: 'application/json', grpc: false },
  { ct: undefined, grpc: false },
] as const

for (const { ct, grpc } of contentTypes) {
  test(`content-type ${String(ct)} is ${grpc ? '' : 'not '}a gRPC call`, () => {
    assert.equal(isGrpcContentType(ct), grpc)
  })
}

const timeouts = [
  { value: '250m', ms: 250 },
  { value: '5S', ms: 5000 },
  { value: '2M', ms: 120_000 },
  { value: '1H', ms: 3_600_000 },
  { value: '1500u', ms: 2 },
  { value: '1n', ms: 1 },
  { value: '99999999m', ms: 99_999_999 },
  { value: '123456789m', ms: null },
  { value: '10', ms: null },
  { value: 'm', ms: null },
  { value: '-5S', ms: null },
  { value: '1.5S', ms: null },
  { value: '5s', ms: null },
] as const

for (const { value, ms } of timeouts) {
  test(`grpc-timeout ${value} is ${String(ms)} ms`, () => {
    assert.equal(grpcTimeoutMs(value), ms)
  })
}

const statuses = [
  { value: '0', code: 0 },
  { value: '14', code: 14 },
  { value: '16', code: 16 },
  { value: '17', code: 2 },
  { value: '', code: 2 },
  { value: 'x', code: 2 },
  { value: '1.5', code: 2 },
] as const

for (const { value, code } of statuses) {
  test(`grpc-status ${JSON.stringify(value)} reads as ${grpcCodes[code]}`, () => {
    assert.equal(grpcStatusOf(value), code)
  })
}

const fromHttp = [
  { status: 400, code: 'INTERNAL' },
  { status: 401, code: 'UNAUTHENTICATED' },
  { status: 403, code: 'PERMISSION_DENIED' },
  { status: 404, code: 'UNIMPLEMENTED' },
  { status: 429, code: 'UNAVAILABLE' },
  { status: 502, code: 'UNAVAILABLE' },
  { status: 503, code: 'UNAVAILABLE' },
  { status: 504, code: 'UNAVAILABLE' },
  { status: 500, code: 'UNKNOWN' },
  { status: 200, code: 'UNKNOWN' },
] as const

for (const { status, code } of fromHttp) {
  test(`a response without grpc-status and HTTP ${status} is ${code} to a gRPC client`, () => {
    assert.equal(grpcCodes[grpcCodeOfHttp(status)], code)
  })
}

const ramps: readonly { code: RampErrorCode; grpc: string }[] = [
  { code: 'RAMP_ERR_UPSTREAM_CONNECT', grpc: 'UNAVAILABLE' },
  { code: 'RAMP_ERR_UPSTREAM_RESET', grpc: 'UNAVAILABLE' },
  { code: 'RAMP_ERR_UPSTREAM_NO_BACKEND', grpc: 'UNAVAILABLE' },
  { code: 'RAMP_ERR_LISTENER_CLOSING', grpc: 'UNAVAILABLE' },
  { code: 'RAMP_ERR_UPSTREAM_TIMEOUT', grpc: 'DEADLINE_EXCEEDED' },
  { code: 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', grpc: 'INTERNAL' },
  { code: 'RAMP_ERR_INTERNAL', grpc: 'INTERNAL' },
  { code: 'RAMP_ERR_CLIENT_HEADERS_TOO_LARGE', grpc: 'RESOURCE_EXHAUSTED' },
]

for (const { code, grpc } of ramps) {
  test(`ramp's ${code} reaches a gRPC client as ${grpc}`, () => {
    assert.equal(grpcCodes[grpcCodeOf(rampError(code, 'x'))], grpc)
  })
}

test('the default error codes are the server-failure codes, in a table by number', () => {
  const table = grpcFailureTable(defaultGrpcErrorCodes)
  assert.deepEqual(grpcCodes.filter((_, i) => table[i]), ['UNKNOWN', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS'])
})

test('grpc-message is percent-encoded outside printable ASCII and for %', () => {
  assert.equal(grpcMessage('backend 127.0.0.1:1 refused'), 'backend 127.0.0.1:1 refused')
  assert.equal(grpcMessage('100% – done\n'), '100%25 %E2%80%93 done%0A')
})
