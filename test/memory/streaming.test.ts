import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { before, describe, test } from 'node:test'
import { request } from 'undici'
import { startDemoBackend } from '../../src/demo/backend.js'
import { listening, peakRss, spawnRamp } from '../support/world/process.js'

const size = 200 * 1024 * 1024
const rssLimit = 150 * 1024 * 1024
const boundLimit = 200 * 1024 * 1024

function bytes(total: number): Readable {
  const chunk = Buffer.alloc(256 * 1024, 0x62)
  let left = total
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null)
      const n = Math.min(left, chunk.length)
      left -= n
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n))
    },
  })
}

// Memory tests run on their own after the rest of the suite (`npm run test:memory`), so
// that other tests' load does not distort the peak they measure.
describe('a 200 MiB upload and a 200 MiB download', () => {
  let peak = 0

  before(async () => {
    const v1 = await startDemoBackend({ name: 'v1', color: 'grey', host: '127.0.0.1' })
    const dir = mkdtempSync(join(tmpdir(), 'ramp-stream-'))
    const file = join(dir, 'ramp.yaml')
    writeFileSync(file, `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
state: { store: memory }
`)
    const ramp = spawnRamp(null, ['serve', '-c', file])
    try {
      const urls = await listening(ramp)
      const up = await request(`${urls.main}/upload`, { method: 'POST', body: bytes(size), headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } })
      const echoed = await up.body.json() as { received: number }
      assert.equal(up.statusCode, 200)
      assert.equal(echoed.received, size, 'the backend received every byte')
      const down = await request(`${urls.main}/download?bytes=${size}`)
      let got = 0
      for await (const c of down.body) got += (c as Buffer).length
      assert.equal(down.statusCode, 200)
      assert.equal(got, size, 'the client received every byte')
      peak = peakRss(ramp.child.pid as number)
    } finally {
      ramp.child.kill('SIGKILL')
      await v1.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('stream through without being buffered whole: peak RSS under 200 MiB, less than one body', (t) => {
    t.diagnostic(`peak RSS ${(peak / 1048576).toFixed(1)} MiB`)
    assert.ok(peak > 0 && peak < boundLimit, `peak RSS ${(peak / 1048576).toFixed(1)} MiB`)
  })

  // The target of the data-plane issue; see docs/architecture.md (Memory) for what keeps it.
  test('peak RSS under 150 MiB', (t) => {
    t.diagnostic(`peak RSS ${(peak / 1048576).toFixed(1)} MiB`)
    assert.ok(peak < rssLimit, `peak RSS ${(peak / 1048576).toFixed(1)} MiB is over 150 MiB`)
  })
})
