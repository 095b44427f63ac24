import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request } from 'undici'
import { backend, backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

describe('POST /api/v1/reload', { concurrency: true }, () => {
  test('a third backend in the file takes traffic; the answer lists what changed and the file', async (t) => {
    const [a, b, c] = await backends(t, 'a', 'b', 'c')
    const w = await world(t, { config: release({ v1: [a.url, b.url] }) })
    assert.deepEqual(new Set(await w.sequence(20)), new Set(['a', 'b']))

    w.writeConfig(release({ v1: [a.url, b.url, c.url] }))
    const res = await w.admin.reload()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, { source: w.configPath, changed: ['stable.backends'], needsRestart: [], notApplied: [], warnings: [] })
    assert.ok((await w.sequence(30)).includes('c'), 'the new backend serves')
    assert.deepEqual((await w.rollout()).stable.backends, [a.url, b.url, c.url], 'through the engine: the state holds the list')
    assert.equal((await w.history()).at(-1)?.event, 'setBackends')
  })

  test('an invalid file is refused with its problems, one line each, and the running config keeps serving', async (t) => {
    const a = await backend(t, { name: 'a' })
    const w = await world(t, { config: release({ v1: a.url }) })
    // The config in force is shown by no API: compared in this process.
    const before = w.ramp.config
    w.writeConfig(`${release({ v1: 'htp://x' })}weight: 100.5\n`)
    const res = await w.admin.reload()
    assert.equal(res.status, 400)
    assert.equal(res.body.error, 'RAMP_ERR_CONFIG_INVALID')
    assert.deepEqual(res.body.problems, ['stable.backends[0]: "htp://x" is not an http(s) or h2c URL', 'weight: 100.5 is above the maximum 100'])
    assert.equal(w.ramp.config, before)
    assert.deepEqual(await w.sequence(5), ['a', 'a', 'a', 'a', 'a'])
  })

  test('a bound port needs a restart: reported, and the listener stays where it is', async (t) => {
    const a = await backend(t, { name: 'a' })
    const w = await world(t, { config: release({ v1: a.url }) })
    w.writeConfig(`${release({ v1: a.url })}listen: { port: 1 }\nlog: { level: warn }\n`)
    const res = await w.admin.reload()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual({ changed: res.body.changed, needsRestart: res.body.needsRestart }, { changed: ['log.level'], needsRestart: ['listen.port'] })
    assert.equal(w.ramp.config.listen.port, 0, 'the config in force keeps the running port')
    assert.deepEqual(await w.sequence(1), ['a'])
  })

  test('a new canary name is not a rollout: reported as not applied, the rollout stays', async (t) => {
    const [a, b] = await backends(t, 'a', 'b')
    const config = (canary: string): string => `${release({ v1: a.url, weight: 50, readinessMs: null })}canary: { name: ${canary}, backends: ["${b.url}"] }\nreadiness: { enabled: false }\n`
    const w = await world(t, { config: config('v2') })
    w.writeConfig(config('v3'))
    const res = await w.admin.reload()
    assert.equal(res.status, 200)
    const notApplied = res.body.notApplied as Array<{ field: string; message: string }>
    assert.deepEqual(notApplied.map((n) => n.field), ['canary'])
    assert.match(notApplied[0]?.message ?? '', /v3 is not a running version \(running: v1, v2\); reload does not start or change rollouts/)
    assert.equal((await w.rollout()).canary?.name, 'v2')
  })

  test('with an admin token it needs the token, like every mutating call', async (t) => {
    const a = await backend(t, { name: 'a' })
    const w = await world(t, { config: release({ v1: a.url }), env: { RAMP_ADMIN_TOKEN: 's3cret' } })
    assert.equal((await w.admin.reload()).status, 401)
    assert.equal((await w.admin.reload({ authorization: 'Bearer s3cret' })).status, 200)
  })

  test('two reloads at once run one after the other: the second finds nothing left to change', async (t) => {
    const [a, b] = await backends(t, 'a', 'b')
    const w = await world(t, { config: release({ v1: a.url }) })
    w.writeConfig(release({ v1: [a.url, b.url] }))
    // Asked in the same tick, in this process (the HTTP route calls the same function).
    const [first, second] = await Promise.all([w.ramp.reload('one'), w.ramp.reload('two')])
    assert.deepEqual([first.changed, second.changed], [['stable.backends'], []])
  })

  test('a ramp without a config file (the demo) has nothing to reload: 409', async (t) => {
    const a = await backend(t, { name: 'a' })
    const w = await world(t, { config: release({ v1: a.url }), embedded: true })
    const res = await w.admin.reload()
    assert.deepEqual({ status: res.status, error: res.body.error }, { status: 409, error: 'RAMP_ERR_RELOAD_NO_SOURCE' })
  })
})

describe('a reload takes effect on the next request', { concurrency: true }, () => {
  test('a route added to the file routes the very next matching request', async (t) => {
    const [v1, v2] = await backends(t, 'v1', 'v2')
    const head = `${release({ v1: v1.url, v2: v2.url, readinessMs: null })}readiness: { enabled: false }\n`
    const w = await world(t, { config: head })
    await w.routed()
    const qa = { 'x-team': 'qa' }
    assert.equal((await w.send('/', { headers: qa })).version, 'v1')
    w.writeConfig(`${head}routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { exact: qa } } ], version: canary } ]\n`)
    assert.deepEqual((await w.admin.reload()).body.changed, ['routes'])
    assert.equal((await w.send('/', { headers: qa })).version, 'v2')
    assert.equal((await w.send()).version, 'v1', 'without the header, still by weight (0)')
  })

  test('a shorter upstream timeout applies to the next request; one already running keeps the agent it started on', async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const w = await world(t, { config: `${release({ v1: v1.url })}upstream: { headersTimeoutMs: 5000 }\n` })
    // undici checks its timeouts on a coarse timer (up to a second late), hence the wide margins.
    const running = request(`${w.urls.main}/?delay=2500`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }))
    await waitFor('the slow request to reach the backend', () => v1.served() === 1)
    w.writeConfig(`${release({ v1: v1.url })}upstream: { headersTimeoutMs: 200 }\n`)
    assert.deepEqual((await w.admin.reload()).body.changed, ['upstream.headersTimeoutMs'])
    const next = await w.send('/?delay=2500')
    assert.equal(next.status, 504, next.body)
    assert.equal(next.error, 'RAMP_ERR_UPSTREAM_TIMEOUT')
    assert.equal((await running).status, 200, 'the request in flight during the reload finished')
  })
})
