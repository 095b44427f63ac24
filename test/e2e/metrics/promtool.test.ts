import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { request } from 'undici'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    p.stdout.on('data', (c: Buffer) => { output += c.toString() })
    p.stderr.on('data', (c: Buffer) => { output += c.toString() })
    p.once('error', reject)
    p.once('exit', (code) => resolve({ code, output }))
    p.stdin.end(text)
  })
}

test('GET /metrics is valid Prometheus text (promtool check metrics) and counts requests by listener, version and code class', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  // As a process, as users run it: with the Node process metrics a test ramp in this process leaves out.
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, preview: true }), process: true })
  await w.routed()
  const main = await w.count(200)
  await w.count(30, { listener: 'preview' })
  const notFound = await request(`${w.urls.preview as string}/x?status=404`)
  await notFound.body.dump()

  const res = await request(`${w.urls.admin}/metrics`)
  const text = await res.body.text()
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)

  const check = await promtoolCheck(text)
  assert.equal(check.code, 0, `promtool: ${check.output}`)

  const value = (re: RegExp): number => Number(new RegExp(`^${re.source}$`, 'm').exec(text)?.[1] ?? NaN)
  assert.equal(value(/ramp_requests_total\{listener="main",version="v1",code="2xx"\} (\d+)/), main.v1)
  assert.equal(value(/ramp_requests_total\{listener="main",version="v2",code="2xx"\} (\d+)/), main.v2)
  assert.equal(value(/ramp_requests_total\{listener="preview",version="v2",code="2xx"\} (\d+)/), 30)
  assert.equal(value(/ramp_requests_total\{listener="preview",version="v2",code="4xx"\} (\d+)/), 1)
  assert.equal(value(/ramp_request_duration_seconds_count\{listener="main",version="v1"\} (\d+)/), main.v1)
  assert.equal(value(/ramp_canary_weight (\S+)/), 50)
  assert.equal(value(/ramp_backends\{version="v2",role="canary"\} (\d+)/), 1)
  assert.match(text, /ramp_rollout_phase\{phase="Paused"\} 1/)
})
