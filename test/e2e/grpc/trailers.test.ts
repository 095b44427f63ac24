import assert from 'node:assert/strict'
import { constants, createServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { h2session } from '../../support/wire/h2.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

test('trailers cross ramp both ways on HTTP/2: the client\'s reach an h2c backend, the backend\'s reach the client', async (t) => {
  const received: IncomingHttpHeaders[] = []
  const backend = createServer()
  backend.on('stream', (stream: ServerHttp2Stream) => {
    stream.resume()
    stream.on('trailers', (fields: IncomingHttpHeaders) => received.push(fields))
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-checksum': 'abc' }))
      stream.end(Buffer.from([0, 0, 0, 0, 0]))
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const w = await world(t, { config: release({ v1: `h2c://127.0.0.1:${(backend.address() as AddressInfo).port}`, more: 'listen: { http2: true }' }) })

  const session = await h2session(t, w.urls.main)
  // After ramp's own stop (hooks run in order), which closes its sessions to the backend.
  t.after(() => new Promise<void>((resolve) => backend.close(() => resolve())))
  const call = session.request({ ':method': 'POST', ':path': '/demo.Echo/Say', 'content-type': 'application/grpc', te: 'trailers' }, { waitForTrailers: true })
  call.on('wantTrailers', () => call.sendTrailers({ 'x-client-sum': '42' }))
  const trailers = new Promise<IncomingHttpHeaders>((resolve) => call.on('trailers', resolve))
  const ended = new Promise((resolve) => call.on('end', resolve))
  call.resume()
  call.end(Buffer.from([0, 0, 0, 0, 0]))
  await ended
  const got = await trailers
  assert.equal(got['grpc-status'], '0')
  assert.equal(got['x-checksum'], 'abc')
  assert.equal(received[0]?.['x-client-sum'], '42')
})

test('a backend that resets a call mid-response has the client\'s stream reset too, not ended as if complete', async (t) => {
  const backend = createServer()
  backend.on('stream', (stream: ServerHttp2Stream) => {
    stream.resume()
    stream.on('error', () => undefined)
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' })
    stream.write(Buffer.from([0, 0, 0, 0, 0]))
    // RST_STREAM(INTERNAL_ERROR) with no END_STREAM before it (close() would end the stream first).
    setTimeout(() => stream.destroy(new Error('the backend failed mid-call')), 50)
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const w = await world(t, { config: release({ v1: `h2c://127.0.0.1:${(backend.address() as AddressInfo).port}`, more: 'listen: { http2: true }' }) })
  const session = await h2session(t, w.urls.main)
  t.after(() => new Promise<void>((resolve) => backend.close(() => resolve())))
  const call = session.request({ ':method': 'POST', ':path': '/demo.Echo/Watch', 'content-type': 'application/grpc', te: 'trailers' })
  let ended = false
  call.on('end', () => { ended = true })
  call.on('error', () => undefined)
  call.resume()
  call.end(Buffer.from([0, 0, 0, 0, 0]))
  await new Promise((resolve) => call.on('close', resolve))
  assert.equal(call.rstCode, constants.NGHTTP2_INTERNAL_ERROR)
  assert.equal(ended, false)
})
