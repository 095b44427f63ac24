import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { request } from 'undici'
import { backend, canaryRouted, countVersions, rampWith } from '../support/ramp.js'

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
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, `
listen: { port: 0 }
preview: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
weight: 50
readiness: { intervalMs: 20 }
`, { processMetrics: true })
  await canaryRouted(ramp)
  const main = await countVersions(ramp.urls.main, 200)
  await countVersions(ramp.urls.preview as string, 30)
  const notFound = await request(`${ramp.urls.preview as string}/x?status=404`)
  await notFound.body.dump()

  const res = await request(`${ramp.urls.admin}/metrics`)
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
