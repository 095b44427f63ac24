import assert from 'node:assert/strict'
import { PassThrough, Writable } from 'node:stream'
import { setImmediate as tick } from 'node:timers/promises'
import { test } from 'node:test'
import { BodyReplay } from '../../src/proxy/body-replay.js'

/** A try's request stream: what it received, and whether its body ended. */
function sink(): { stream: Writable; text: () => string; ended: () => boolean } {
  const chunks: Buffer[] = []
  let ended = false
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) { chunks.push(chunk); done() },
    final(done) { ended = true; done() },
  })
  return { stream, text: () => Buffer.concat(chunks).toString(), ended: () => ended }
}

test('a second try gets the body from its first byte, then the rest as the client sends it', async () => {
  const client = new PassThrough()
  const replay = new BodyReplay(client, 1024)
  const first = sink()
  replay.pipeTo(first.stream)
  client.write('hello ')
  await tick()
  assert.equal(first.text(), 'hello ')
  const second = sink()
  replay.pipeTo(second.stream)
  client.end('world')
  await tick()
  assert.equal(second.text(), 'hello world')
  assert.ok(second.ended(), 'the second try sees the end of the body')
  assert.equal(first.text(), 'hello ', 'the failed try gets no more of it')
  assert.ok(!first.ended())
})

test('a try after the client finished gets the whole body and its end', async () => {
  const client = new PassThrough()
  const replay = new BodyReplay(client, 1024)
  replay.pipeTo(sink().stream)
  client.end('whole')
  await tick()
  for (let i = 0; i < 2; i++) {
    const again = sink()
    replay.pipeTo(again.stream)
    await tick()
    assert.equal(again.text(), 'whole')
    assert.ok(again.ended())
  }
})

test('a detached failed try does not hold the body back from the next one', async () => {
  const client = new PassThrough({ highWaterMark: 16 })
  const replay = new BodyReplay(client, 1 << 20)
  // A try whose stream never reads: the source would pause for it.
  const stuck = new Writable({ highWaterMark: 1, write() { /* never done */ } })
  replay.pipeTo(stuck)
  client.write('x'.repeat(64))
  await tick()
  replay.detach()
  const next = sink()
  replay.pipeTo(next.stream)
  client.end('y'.repeat(64))
  await tick()
  assert.equal(next.text(), 'x'.repeat(64) + 'y'.repeat(64))
})

test('a body past the limit can no longer be sent again; the try in flight still gets all of it', async () => {
  const client = new PassThrough()
  const replay = new BodyReplay(client, 8)
  const first = sink()
  replay.pipeTo(first.stream)
  client.write('12345678')
  await tick()
  assert.ok(replay.replayable, 'exactly at the limit')
  client.end('9')
  await tick()
  assert.ok(!replay.replayable)
  assert.equal(first.text(), '123456789')
})

test('release drops what was kept: nothing will be sent again', async () => {
  const client = new PassThrough()
  const replay = new BodyReplay(client, 1024)
  const first = sink()
  replay.pipeTo(first.stream)
  client.write('a')
  await tick()
  replay.release()
  assert.ok(!replay.replayable)
  client.end('b')
  await tick()
  assert.equal(first.text(), 'ab')
})

test('nothing is read from the client before the first try pipes it', async () => {
  const client = new PassThrough()
  const replay = new BodyReplay(client, 1024)
  client.write('early')
  await tick()
  assert.equal(client.readableFlowing, null, 'still paused')
  const first = sink()
  replay.pipeTo(first.stream)
  client.end()
  await tick()
  assert.equal(first.text(), 'early')
})
