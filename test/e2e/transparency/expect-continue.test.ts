import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { curl } from '../../support/wire/curl.js'
import { within } from '../../support/world/eventually.js'
import { seriesOf, sumOf } from '../../support/world/metrics.js'
import { recorder, type Recorder } from '../../support/world/recorder.js'
import { world, type World } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, transparency: `Expect: 100-continue` is answered or passed on, never a 5xx. curl
 * sends it by itself with a body over 1 MiB and with `-T`. The upload is not a failure in
 * metrics or analysis either: ramp_upstream_errors_total does not move, no 5xx is counted,
 * and the analysis window (ramp_window_success_rate) stays at 1.
 */

const size = 3 * 1024 * 1024

function bigFile(t: TestContext): { path: string; bytes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-expect-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i)
  const path = join(dir, 'upload.bin')
  writeFileSync(path, bytes)
  return { path, bytes }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

async function setup(t: TestContext): Promise<{ be: Recorder; w: World; file: { path: string; bytes: Buffer } }> {
  const be = await recorder(t, (req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': 'answered' }).end('stored\n'))
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  return { be, w, file: bigFile(t) }
}

async function uploaded(t: TestContext, args: (url: string, file: string) => string[], method: string): Promise<void> {
  const { be, w, file } = await setup(t)
  const before = await w.metrics()
  const url = `${w.urls.main}/files/upload.bin?v=1`
  const run = await curl(['-sS', '-v', '-o', '-', '-w', '\n%{http_code}', ...args(url, file.path)])
  assert.match(run.stderr, /^> Expect: 100-continue\r?$/im, 'curl sent Expect: 100-continue (else this test tests nothing)')
  const status = Number(run.stdout.slice(run.stdout.lastIndexOf('\n') + 1))
  const body = run.stdout.slice(0, run.stdout.lastIndexOf('\n'))

  // Every check is made and reported together, so one run says all that is wrong.
  const problems: string[] = []
  if (run.code !== 0) problems.push(`curl exit ${run.code}: ${run.stderr.slice(-200)}`)
  if (status !== 200) problems.push(`client got ${status} ${excerpt(body)}`)
  else if (body !== 'stored\n' || !/^< x-backend: answered\r?$/im.test(run.stderr)) problems.push(`client did not get the backend's answer: ${excerpt(body)}`)

  await within(1000, () => be.traffic()[0]?.ended === true)
  const traffic = be.traffic()
  if (traffic.length !== 1) problems.push(`${traffic.length} requests reached the backend`)
  const seen = traffic[0]
  if (seen !== undefined) {
    if (seen.method !== method || seen.url !== '/files/upload.bin?v=1') problems.push(`backend saw ${seen.method} ${seen.url}`)
    if (seen.body.length !== size) problems.push(`backend got ${seen.body.length} of ${size} bytes`)
    else if (sha(seen.body) !== sha(file.bytes)) problems.push('backend got other bytes than sent')
  }

  const after = await w.metrics()
  if (sumOf(after, 'ramp_upstream_errors_total') !== sumOf(before, 'ramp_upstream_errors_total')) problems.push(`upstream errors counted: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ')}`)
  if (sumOf(after, 'ramp_requests_total', { code: '5xx' }) !== 0) problems.push(`5xx counted: ${seriesOf(after, 'ramp_requests_total').join('; ')}`)
  if (sumOf(after, 'ramp_requests_total', { version: 'v1', code: '2xx' }) !== 1) problems.push(`2xx not counted once: ${seriesOf(after, 'ramp_requests_total').join('; ')}`)
  if (sumOf(after, 'ramp_window_success_rate', { listener: 'main', version: 'v1' }) !== 1) problems.push(`analysis window: ${seriesOf(after, 'ramp_window_success_rate').join('; ')}`)
  noProblems(problems, `${method} with Expect: 100-continue`)
}

test('curl --data-binary @3MiB (curl adds Expect: 100-continue): the backend gets every byte, the client its 200, nothing counted as a failure', async (t) => {
  await uploaded(t, (url, file) => ['--data-binary', `@${file}`, '-H', 'content-type: application/octet-stream', url], 'POST')
})

test('curl -T 3MiB (PUT with Expect: 100-continue): the backend gets every byte, the client its 200, nothing counted as a failure', async (t) => {
  await uploaded(t, (url, file) => ['-T', file, url], 'PUT')
})
