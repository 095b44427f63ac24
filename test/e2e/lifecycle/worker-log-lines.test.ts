import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { backend } from '../../support/world/backends.js'
import { release, settle } from '../../support/world/config.js'
import { eventually } from '../../support/world/eventually.js'
import { workerAccessLines, type LogLine } from '../../support/world/logs.js'
import { sumOf } from '../../support/world/metrics.js'
import { listening, rampBin, spawnProgram } from '../../support/world/process.js'
import { countVersions } from '../../support/world/traffic.js'

// Access lines longer than a pipe keeps whole (4 KiB), into a real pipe whose reader falls
// behind: two workers writing the one stdout tore each other's lines there. (Node's own
// child pipes are socket pairs, which did not show it: hence the FIFO and `cat`.)
const path = `/${'x'.repeat(5000)}`
const requests = 300

test('with workers, every log line reaches a piped stdout whole, and none is lost, when lines pass 4 KiB and the reader falls behind', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const dir = mkdtempSync(join(tmpdir(), 'ramp-log-pipe-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const config = join(dir, 'ramp.yaml')
  writeFileSync(config, settle(release({ v1: v1.url, more: 'log: { access: true }' }), { process: true, workers: 2, logLevel: 'info' }))
  const fifo = join(dir, 'stdout')
  execFileSync('mkfifo', [fifo])
  // `ramp serve | cat`, with this test as cat's reader.
  const reader = spawnProgram(t, 'cat', [fifo])
  const end = openSync(fifo, 'w')
  const ramp = spawn(process.execPath, [rampBin, 'serve', '-c', config], { stdio: ['ignore', end, 'inherit'], env: { PATH: process.env.PATH } })
  closeSync(end)
  const exited = new Promise((resolve) => ramp.once('close', resolve))
  t.after(() => { if (ramp.exitCode === null && ramp.signalCode === null) ramp.kill('SIGKILL') })
  const urls = await listening(reader)

  // The reader stalls, then reads in short bursts: the pipe is full most of the time.
  const stdout = reader.child.stdout
  assert.ok(stdout !== null)
  stdout.pause()
  const sent = countVersions(urls.main, requests, { connections: 8, path })
  await sleep(300)
  while (!(await Promise.race([sent.then(() => true), sleep(40).then(() => false)]))) {
    stdout.resume()
    await sleep(2)
    stdout.pause()
  }
  stdout.resume()
  assert.equal((await sent).v1, requests)

  const read = (): { lines: LogLine[]; torn: string[] } => {
    const lines: LogLine[] = []
    const torn: string[] = []
    for (const l of reader.stdout().split('\n')) {
      if (l === '') continue
      try {
        lines.push(JSON.parse(l) as LogLine)
      } catch {
        torn.push(`${l.slice(0, 60)}... (${l.length} bytes)`)
      }
    }
    return { lines, torn }
  }
  const { lines, torn } = await eventually('every access line', read, (r) => workerAccessLines(r.lines).length >= requests, 10_000, (r) => `${workerAccessLines(r.lines).length} access lines, ${r.torn.length} torn`).catch(() => read())
  assert.deepEqual(torn, [], 'lines that are not one JSON line each')
  const access = workerAccessLines(lines)
  assert.equal(access.length, requests)
  assert.ok(access.every((a) => a.url === path), 'each line carries its whole URL')
  assert.equal(new Set(access.map((a) => a.worker)).size, 2, 'both workers served, and logged')
  const metrics = await (await request(`${urls.admin}/metrics`)).body.text()
  assert.equal(sumOf(metrics, 'ramp_log_lines_dropped_total', {}), 0)
  ramp.kill('SIGTERM')
  await exited
})
