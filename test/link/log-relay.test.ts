import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { once } from 'node:events'
import { test } from 'node:test'
import { relayLines } from '../../src/link/log-relay.js'
import { logBufferBytes, type LineSink } from '../../src/log.js'

function relayed(chunks: ReadonlyArray<string | Buffer>): Promise<{ writes: Array<[string, number]>; dropped: number }> {
  const from = new PassThrough()
  const writes: Array<[string, number]> = []
  let dropped = 0
  const sink: LineSink = { write: (text, lines) => { writes.push([text.toString(), lines]) }, drop: (n) => { dropped += n } }
  relayLines(from, sink)
  for (const c of chunks) from.write(c)
  from.end()
  return once(from, 'end').then(() => ({ writes, dropped }))
}

test('the complete lines of a chunk go on in one write, with their count; a line split across chunks waits for its end', async () => {
  const r = await relayed(['{"a":1}\n{"b":2}\n{"c"', ':3}\n', '{"d":4}\n'])
  assert.deepEqual(r.writes, [['{"a":1}\n{"b":2}\n', 2], ['{"c":3}\n', 1], ['{"d":4}\n', 1]])
  assert.equal(r.dropped, 0)
})

test('a line cut short by the end of the pipe is dropped and counted, not written in part', async () => {
  const r = await relayed(['{"a":1}\n{"b"'])
  assert.deepEqual(r.writes, [['{"a":1}\n', 1]])
  assert.equal(r.dropped, 1)
})

test('a line longer than the bound is dropped whole, up to its end, and the lines after it go on', async () => {
  const long = 'x'.repeat(64 * 1024)
  const chunks = ['{"a":1}\n{"long":"', ...Array.from({ length: Math.ceil(logBufferBytes / long.length) + 1 }, () => long), '"}\n{"b":2}\n']
  const r = await relayed(chunks)
  assert.deepEqual(r.writes, [['{"a":1}\n', 1], ['{"b":2}\n', 1]])
  assert.equal(r.dropped, 1)
})

test('multi-byte characters split across chunks arrive whole', async () => {
  const line = Buffer.from('{"msg":"é→ü"}\n')
  const r = await relayed([line.subarray(0, 10), line.subarray(10)])
  assert.deepEqual(r.writes, [['{"msg":"é→ü"}\n', 1]])
})
