import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { pino } from 'pino'
import { createLogger, droppedLogLines, logBufferBytes, sinkOf } from '../src/log.js'

const lines = (...msgs: string[]): string => msgs.map((msg, i) => `${JSON.stringify({ level: 30, time: i, name: 'ramp', msg })}\n`).join('')

function collected(out: PassThrough): (() => string) & { writes: () => number } {
  const chunks: string[] = []
  out.on('data', (c: Buffer) => { chunks.push(c.toString()) })
  return Object.assign(() => chunks.join(''), { writes: () => chunks.length })
}

test('lines written through a JSON logger\'s sink go out as they came, in one write', () => {
  const out = new PassThrough()
  const text = collected(out)
  sinkOf(createLogger({ level: 'info', format: 'json' }, out)).write(lines('a', 'b'), 2)
  assert.equal(text(), lines('a', 'b'))
  assert.equal(text.writes(), 1)
})

test('a pretty logger formats each line of a batch it is given, as it formats its own', () => {
  const out = new PassThrough()
  const text = collected(out)
  sinkOf(createLogger({ level: 'info', format: 'pretty' }, out)).write(Buffer.from(lines('first worker line', 'second worker line')), 2)
  const written = text()
  assert.ok(!written.includes('{"level"'), written)
  assert.match(written, /INFO.*first worker line[\s\S]*INFO.*second worker line/)
})

test('past the bound a batch is dropped whole and counted by its lines; a lost line is counted too', () => {
  const out = new PassThrough()
  const sink = sinkOf(createLogger({ level: 'info', format: 'json' }, out))
  const before = droppedLogLines()
  sink.write('x'.repeat(logBufferBytes), 1)
  sink.write(lines('a', 'b', 'c'), 3)
  sink.drop(1)
  assert.equal(droppedLogLines() - before, 4)
  out.destroy()
})

test('sinkOf refuses a logger createLogger did not make', () => {
  assert.throws(() => sinkOf(pino({ enabled: false })), /not made by createLogger/)
})
