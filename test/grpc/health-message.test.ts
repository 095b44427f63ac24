import assert from 'node:assert/strict'
import { test } from 'node:test'
import { healthCheckRequest, healthCheckStatus } from '../../src/grpc/health-message.js'

const frame = (message: number[]): Buffer => Buffer.from([0, 0, 0, 0, message.length, ...message])

test('a HealthCheckRequest for the whole server is an empty message in its frame', () => {
  assert.deepEqual([...healthCheckRequest('')], [0, 0, 0, 0, 0])
})

test('a HealthCheckRequest names its service in field 1', () => {
  assert.deepEqual([...healthCheckRequest('demo.Echo')], [0, 0, 0, 0, 11, 0x0a, 9, ...Buffer.from('demo.Echo')])
  const long = 'x'.repeat(200)
  assert.deepEqual([...healthCheckRequest(long).subarray(0, 8)], [0, 0, 0, 0, 203, 0x0a, 0xc8, 0x01], 'a length past 127 is a two-byte varint')
})

const responses = [
  { name: 'SERVING', bytes: frame([0x08, 1]), status: 1 },
  { name: 'NOT_SERVING', bytes: frame([0x08, 2]), status: 2 },
  { name: 'an empty message (status left out: UNKNOWN)', bytes: frame([]), status: 0 },
  { name: 'an unknown string field before the status', bytes: frame([0x12, 2, 0x61, 0x62, 0x08, 1]), status: 1 },
  { name: 'a compressed frame', bytes: Buffer.from([1, 0, 0, 0, 2, 0x08, 1]), status: null },
  { name: 'a frame whose length is wrong', bytes: Buffer.from([0, 0, 0, 0, 5, 0x08, 1]), status: null },
  { name: 'a truncated varint', bytes: frame([0x08, 0x80]), status: null },
  { name: 'nothing', bytes: Buffer.alloc(0), status: null },
] as const

for (const { name, bytes, status } of responses) {
  test(`HealthCheckResponse: ${name} reads as ${String(status)}`, () => {
    assert.equal(healthCheckStatus(bytes), status)
  })
}
