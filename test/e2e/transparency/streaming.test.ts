import assert from 'node:assert/strict'
import { test } from 'node:test'
import { header, RawClient } from '../../support/wire/raw-client.js'
import { recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'

/**
 * Issue 11, transparency: a response is streamed, not buffered. A server-sent events backend
 * writes one event every 100 ms (10 in all); each must reach the client shortly after it was
 * written, the first long before the backend ends.
 */

const events = 10
const everyMs = 100

test('a server-sent events stream reaches the client event by event, the first well before the backend ends', async (t) => {
  const sentAt: number[] = []
  let endedAt = 0
  const be = await recorder(t, (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.flushHeaders()
    let n = 0
    const timer = setInterval(() => {
      sentAt.push(performance.now())
      res.write(`id: ${n}\ndata: event ${n}\n\n`)
      if (++n === events) {
        clearInterval(timer)
        res.end()
        endedAt = performance.now()
      }
    }, everyMs)
    res.on('close', () => clearInterval(timer))
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })

  // Raw socket: what arrives when is exactly what ramp wrote when.
  const client = await RawClient.open(t, w.urls.main)
  const receivedAt: number[] = []
  let text = ''
  client.socket.on('data', (c: Buffer) => {
    text += c.toString('latin1')
    const count = text.match(/data: event \d+\n\n/g)?.length ?? 0
    while (receivedAt.length < count) receivedAt.push(performance.now())
  })
  client.write('GET /events HTTP/1.1\r\nHost: svc.example\r\nAccept: text/event-stream\r\n\r\n')
  const res = await client.response({ timeoutMs: 5000 })

  assert.equal(res.status, 200)
  assert.deepEqual(header(res, 'content-type'), ['text/event-stream'])
  assert.equal(sentAt.length, events)
  assert.equal(receivedAt.length, events, `the client got ${receivedAt.length} of ${events} events: ${JSON.stringify(text.slice(-200))}`)
  const first = receivedAt[0] as number
  assert.ok(first < endedAt - 5 * everyMs, `the first event arrived ${(endedAt - first).toFixed(0)} ms before the backend ended (it was sent ${(endedAt - (sentAt[0] as number)).toFixed(0)} ms before)`)
  const lags = receivedAt.map((r, i) => r - (sentAt[i] as number))
  assert.ok(lags.every((l) => l < 2 * everyMs), `each event reached the client within ${2 * everyMs} ms of being written (none held back for later ones); lags ${lags.map((l) => l.toFixed(0)).join(', ')} ms`)
})
