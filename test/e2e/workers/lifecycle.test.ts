import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { request } from 'undici'
import { accessLines, adminCall, fresh, hostYaml, routed, serveHost, versions, waitFor, workers, type Access, type Host } from './support.js'

const workersOf = (lines: readonly Access[]): Set<number> => new Set(lines.map((a) => a.worker))

test('SIGTERM with slow requests in flight on both workers: each one completes with 200, the workers drain, exit 0', async (t) => {
  const { v1 } = await versions(t)
  const reached = new Set<string>()
  v1.server.on('request', (req: IncomingMessage) => { if (req.url?.startsWith('/?slow=') === true) reached.add(req.url) })
  const host = await serveHost(t, hostYaml(v1, { v2: null, extra: 'drainTimeoutMs: 10000\n', access: true }))

  // Four connections opened together: the workers take them in turn.
  const slow = [0, 1, 2, 3].map(async (i) => {
    const res = await request(`${host.urls.main}/?slow=${i}&delay=1500`)
    return { status: res.statusCode, body: await res.body.text() }
  })
  await waitFor('the slow requests to reach the backend', () => reached.size === 4)
  host.proc.child.kill('SIGTERM')

  for (const answer of await Promise.all(slow)) {
    assert.equal(answer.status, 200)
    assert.match(answer.body, /"version":"v1"/)
  }
  assert.deepEqual(await host.proc.exit, { code: 0, signal: null }, host.proc.stderr())
  const lines = accessLines(host.proc).filter((a) => a.url.startsWith('/?slow='))
  assert.equal(lines.length, 4)
  assert.equal(workersOf(lines).size, 2, 'the slow requests were on both workers')
  const drained = host.proc.stdout().split('\n').find((l) => l.includes('"workers drained'))
  assert.ok(drained !== undefined, host.proc.stdout())
  const report = (JSON.parse(drained) as { drain: { inFlightAtStart: number; completed: number; cut: number; ended: string } }).drain
  assert.deepEqual({ ...report, ms: 0 }, { ms: 0, inFlightAtStart: 4, completed: 4, cut: 0, connectionsCut: 0, ended: 'drained' }, 'the workers\' reports added up')
})

/** `n` requests on fresh connections; the workers take them in turn. */
async function freshMany(host: Host, n: number, tag: string, headers: Record<string, string> = {}): Promise<Array<{ status: number; version: string; header: unknown }>> {
  const out = []
  for (let i = 0; i < n; i++) {
    const res = await fresh(host.urls.main, `/?${tag}=${i}`, headers)
    out.push({ status: res.status, version: res.version, header: res.headers['x-ramp-version'] })
  }
  return out
}

test('SIGHUP reaches every worker: a new route and versionHeader.response apply to new connections on both', async (t) => {
  const { v1, v2 } = await versions(t)
  const host = await serveHost(t, hostYaml(v1, { v2, access: true }))
  await routed(host, 0)
  const before = await freshMany(host, 10, 'before', { 'x-beta': '1' })
  assert.deepEqual(before.filter((r) => r.status !== 200 || r.version !== 'v1' || r.header !== undefined), [], 'no route, no version header yet')

  host.write(hostYaml(v1, { v2, access: true, extra: `versionHeader: { response: true }
routes:
  - name: beta
    match: [{ headerName: x-beta, headerValue: { exact: "1" } }]
    version: canary
` }))
  host.proc.child.kill('SIGHUP')
  const reloaded = JSON.parse(await host.proc.line(/configuration reloaded/)) as { reload: { changed: string[]; needsRestart: string[] } }
  assert.deepEqual(reloaded.reload.changed.sort(), ['routes', 'versionHeader.response'])
  assert.deepEqual(reloaded.reload.needsRestart, [], 'the port the primary chose for port 0 is no change of the file')

  const beta = await freshMany(host, 10, 'beta', { 'x-beta': '1' })
  const others = await freshMany(host, 10, 'other')
  assert.deepEqual(beta.filter((r) => r.status !== 200 || r.version !== 'v2' || r.header !== 'v2'), [], 'the route sends beta users to v2, and says so')
  assert.deepEqual(others.filter((r) => r.status !== 200 || r.version !== 'v1' || r.header !== 'v1'), [], 'everyone else on v1, and says so')
  const lines = (tag: string): Access[] => accessLines(host.proc).filter((a) => a.url.startsWith(`/?${tag}=`))
  await waitFor('the access lines', () => lines('beta').length === 10 && lines('other').length === 10)
  assert.equal(workersOf(lines('beta')).size, 2, 'both workers took the route')
  assert.equal(workersOf(lines('other')).size, 2, 'both workers send the header')
})

test('a reload answers only once every worker applied it: with one worker stopped (SIGSTOP) POST /api/v1/reload waits, and answers once it runs again', async (t) => {
  const { v1 } = await versions(t)
  const host = await serveHost(t, hostYaml(v1, { v2: null, access: true }))
  const [stopped] = workers(host)
  assert.ok(stopped !== undefined)
  host.write(hostYaml(v1, { v2: null, access: true, extra: 'versionHeader: { response: true }\n' }))
  process.kill(stopped, 'SIGSTOP')
  t.after(() => { try { process.kill(stopped, 'SIGCONT') } catch { /* it ended with the test */ } })
  let answeredAt = 0
  const call = adminCall<{ changed: string[] }>(host, 'POST', '/api/v1/reload', {}).finally(() => { answeredAt = performance.now() })
  // Well within the 5 s after which the primary gives up on a worker and replaces it.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  assert.equal(answeredAt, 0, 'answered while a worker could not have applied it')
  const resumedAt = performance.now()
  process.kill(stopped, 'SIGCONT')
  const answer = await call
  assert.equal(answer.status, 200)
  assert.deepEqual(answer.body.changed, ['versionHeader.response'])
  assert.ok(answeredAt > resumedAt)
  const after = await freshMany(host, 10, 'after')
  assert.deepEqual(after.filter((r) => r.status !== 200 || r.header !== 'v1'), [], 'every worker sends the header at once')
  await waitFor('the access lines', () => accessLines(host.proc).filter((a) => a.url.startsWith('/?after=')).length === 10)
  assert.ok(accessLines(host.proc).some((a) => a.url.startsWith('/?after=') && a.worker === stopped), 'the worker that was stopped served some of them')
})
