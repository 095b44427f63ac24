import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { residentBytes } from '../../../src/bench/proc-status.js'
import { portOf } from '../../support/wire/exchange.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { recorder, type Recorder } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { bigOrEarly } from './upstream.js'

const clients = 200
const mib = 1024 * 1024

function opened(port: number): Socket {
  const s = connect(port, '127.0.0.1')
  s.on('error', () => undefined)
  return s
}

/** Every client starts a 1 MiB upload and sends 64 KiB; once all of them reached the backend, every client destroys its socket. */
async function uploadsAborted(port: number, backend: Recorder): Promise<void> {
  const before = backend.seen.length
  const sockets = Array.from({ length: clients }, () => {
    const s = opened(port)
    s.write(`POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: ${mib}\r\n\r\n`)
    s.write(Buffer.alloc(64 * 1024, 0x62))
    return s
  })
  await waitFor('every upload to reach the backend', () => backend.seen.length - before === clients)
  for (const s of sockets) s.destroy()
}

/** Every client asks for 1 MiB (far more than the sockets' buffers hold) and destroys its socket after the first few KiB. */
async function downloadsAborted(port: number): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => new Promise<void>((resolve) => {
    const s = opened(port)
    let got = 0
    s.on('data', (c: Buffer) => { got += c.length; if (got > 4096) s.destroy() })
    s.on('close', () => resolve())
    s.write('GET /big?bytes=1048576 HTTP/1.1\r\nHost: app\r\n\r\n')
  })))
}

/** Nothing of the aborted exchanges is left upstream: no response in progress, no connection (idle ones close after upstream.keepAliveTimeoutMs). */
async function upstreamFreed(backend: Recorder): Promise<void> {
  await waitFor('the upstream streams and sockets to be freed', () => backend.responding() === 0 && backend.open() === 0, 10_000)
}

test(`${clients} clients aborting mid-upload and ${clients} mid-download free their upstream streams and sockets, and RSS stays flat`, async (t) => {
  const backend = await recorder(t, bigOrEarly)
  // A small heap has its garbage collected before it moves RSS much (spread seen over 20
  // rounds: 18 MiB, against 70 MiB with the default heap), so a leak stands out of the noise.
  const w = await world(t, {
    config: release({ v1: backend.url, more: 'upstream: { keepAliveTimeoutMs: 300 }' }),
    process: true,
    env: { NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=2' },
  })
  const port = portOf(w.urls.main)
  const rss = (): number => residentBytes(w.proc.child.pid as number) ?? Number.NaN

  // A first round warms up what is allocated once (pools, parsers, JIT code).
  await uploadsAborted(port, backend)
  await upstreamFreed(backend)
  await downloadsAborted(port)
  await upstreamFreed(backend)
  const warm = rss()

  const rounds = 2
  for (let i = 0; i < rounds; i++) {
    await uploadsAborted(port, backend)
    await upstreamFreed(backend)
    await downloadsAborted(port)
    await upstreamFreed(backend)
  }
  const after = rss()
  t.diagnostic(`RSS after the warm-up round ${(warm / mib).toFixed(1)} MiB, after ${rounds} more rounds ${(after / mib).toFixed(1)} MiB`)

  assert.ok(backend.seen.filter((r) => r.url === '/upload').every((r) => !r.complete), 'no aborted upload reached the backend whole')
  // A leak of what one abort holds (its 64 KiB upload chunk, or the buffered part of a
  // download) would be 800 x 64 KiB = 50 MiB over these rounds: any leak of 50 KiB or more
  // an abort crosses the bound.
  assert.ok(after - warm < 40 * mib, `RSS grew by ${((after - warm) / mib).toFixed(1)} MiB over ${rounds * 2 * clients} aborts`)

  const res = await fetch(`http://127.0.0.1:${port}/after`)
  assert.equal(res.status, 200)
  assert.equal(await res.text(), 'ok')
})
