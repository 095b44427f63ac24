import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { availableParallelism } from 'node:os'
import { setTimeout as delay } from 'node:timers/promises'
import { test } from 'node:test'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import type { WorkerAccessLine } from '../../support/world/logs.js'
import { world, type World } from '../../support/world/world.js'
import { served } from './served.js'
import { split } from './split.js'

const workersOf = (lines: readonly WorkerAccessLine[]): Set<number> => new Set(lines.map((a) => a.worker))

test('SIGTERM with slow requests in flight on both workers: each one completes with 200, the workers drain, exit 0', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const reached = new Set<string>()
  v1.server.on('request', (req: IncomingMessage) => { if (req.url?.startsWith('/?slow=') === true) reached.add(req.url) })
  const w = await world(t, { config: release({ v1: v1.url, more: 'log: { access: true }\ndrainTimeoutMs: 10000' }), workers: 2 })

  // Four connections opened together: the workers take them in turn.
  const slow = [0, 1, 2, 3].map((i) => w.send(`/?slow=${i}&delay=1500`))
  await waitFor('the slow requests to reach the backend', () => reached.size === 4)
  w.proc.child.kill('SIGTERM')

  for (const answer of await Promise.all(slow)) {
    assert.equal(answer.status, 200)
    assert.match(answer.body, /"version":"v1"/)
  }
  assert.deepEqual(await w.proc.exit, { code: 0, signal: null }, w.proc.stderr())
  const lines = w.cluster.access().filter((a) => a.url.startsWith('/?slow='))
  assert.equal(lines.length, 4)
  assert.equal(workersOf(lines).size, 2, 'the slow requests were on both workers')
  const drained = w.logs().find((l) => l.msg.startsWith('workers drained'))
  assert.ok(drained !== undefined, w.proc.stdout())
  const report = drained.drain as { inFlightAtStart: number; completed: number; cut: number; ended: string }
  assert.deepEqual({ ...report, ms: 0 }, { ms: 0, inFlightAtStart: 4, completed: 4, cut: 0, connectionsCut: 0, ended: 'drained' }, 'the workers\' reports added up')
})

/** `n` requests on fresh connections; the workers take them in turn. */
async function freshMany(w: World, n: number, tag: string, headers: Record<string, string> = {}): Promise<Array<{ status: number; version: string; header: unknown }>> {
  const out = []
  for (let i = 0; i < n; i++) {
    const res = await w.send(`/?${tag}=${i}`, { headers: { ...headers, connection: 'close' } })
    out.push({ status: res.status, version: res.version, header: res.headers['x-ramp-version'] })
  }
  return out
}

test('SIGHUP reaches every worker: a new route and versionHeader.response apply to new connections on both', async (t) => {
  const { w, config } = await split(t, 0, { access: true })
  const before = await freshMany(w, 10, 'before', { 'x-beta': '1' })
  assert.deepEqual(before.filter((r) => r.status !== 200 || r.version !== 'v1' || r.header !== undefined), [], 'no route, no version header yet')

  w.writeConfig(config(`versionHeader: { response: true }
routes:
  - name: beta
    match: [{ headerName: x-beta, headerValue: { exact: "1" } }]
    version: canary
`))
  w.proc.child.kill('SIGHUP')
  const reloaded = JSON.parse(await w.proc.line(/configuration reloaded/)) as { reload: { changed: string[]; needsRestart: string[] } }
  assert.deepEqual(reloaded.reload.changed.sort(), ['routes', 'versionHeader.response'])
  assert.deepEqual(reloaded.reload.needsRestart, [], 'the port the primary chose for port 0 is no change of the file')

  const beta = await freshMany(w, 10, 'beta', { 'x-beta': '1' })
  const others = await freshMany(w, 10, 'other')
  assert.deepEqual(beta.filter((r) => r.status !== 200 || r.version !== 'v2' || r.header !== 'v2'), [], 'the route sends beta users to v2, and says so')
  assert.deepEqual(others.filter((r) => r.status !== 200 || r.version !== 'v1' || r.header !== 'v1'), [], 'everyone else on v1, and says so')
  assert.equal(workersOf(await served(w, '/?beta=', 10)).size, 2, 'both workers took the route')
  assert.equal(workersOf(await served(w, '/?other=', 10)).size, 2, 'both workers send the header')
})

test('a reload answers only once every worker applied it: with one worker stopped (SIGSTOP) POST /api/v1/reload waits, and answers once it runs again', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const config = (more: string): string => release({ v1: v1.url, more: `log: { access: true }\n${more}` })
  const w = await world(t, { config: config(''), workers: 2 })
  const [stopped] = w.cluster.pids()
  assert.ok(stopped !== undefined)
  w.writeConfig(config('versionHeader: { response: true }'))
  const resume = w.cluster.sigstop(stopped)
  let answeredAt = 0
  const call = w.admin.reload().finally(() => { answeredAt = performance.now() })
  // Well within the 5 s after which the primary gives up on a worker and replaces it.
  await delay(1000)
  assert.equal(answeredAt, 0, 'answered while a worker could not have applied it')
  const resumedAt = performance.now()
  resume()
  const answer = await call
  assert.equal(answer.status, 200)
  assert.deepEqual(answer.body.changed, ['versionHeader.response'])
  assert.ok(answeredAt > resumedAt)
  const after = await freshMany(w, 10, 'after')
  assert.deepEqual(after.filter((r) => r.status !== 200 || r.header !== 'v1'), [], 'every worker sends the header at once')
  assert.ok((await served(w, '/?after=', 10)).some((a) => a.worker === stopped), 'the worker that was stopped served some of them')
})

test('workers: auto runs one worker per core the process may use, each serving', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url, more: 'workers: auto' }), process: true })
  const cores = availableParallelism()
  for (let i = 0; i < 10; i++) assert.equal((await w.send(`/?auto=${i}`, { headers: { connection: 'close' } })).status, 200)
  const text = await w.metrics()
  const workers = new Set([...text.matchAll(/[{,]worker="(\d+)"/g)].map((m) => m[1]))
  // One core is one process: no primary and no worker label, as with workers: 1.
  assert.equal(workers.size, cores > 1 ? cores : 0, `${cores} cores, workers seen in /metrics: ${[...workers].join(', ')}`)
})
