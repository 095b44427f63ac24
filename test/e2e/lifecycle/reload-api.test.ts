import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request } from 'undici'
import { admin, backend, waitFor } from '../../support/ramp.js'
import { configFile, opening } from '../../support/spawn.js'
import { get, rampOnFile, reloadVia, servedBy } from './support.js'

const stable = (...urls: string[]): string => `stable: { name: v1, backends: [${urls.map((u) => `"${u}"`).join(', ')}] }\n`

describe('POST /api/v1/reload', { concurrency: true }, () => {
  test('a third backend in the file takes traffic; the answer lists what changed and the file', async (t) => {
    const [a, b, c] = [await backend(t, { name: 'a' }), await backend(t, { name: 'b' }), await backend(t, { name: 'c' })]
    const file = configFile(t, `${opening()}${stable(a.url, b.url)}`)
    const ramp = await rampOnFile(t, file.path)
    assert.deepEqual(new Set(await servedBy(ramp.urls.main, 20)), new Set(['a', 'b']))

    file.write(`${opening()}${stable(a.url, b.url, c.url)}`)
    const res = await reloadVia(ramp)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body, { source: file.path, changed: ['stable.backends'], needsRestart: [], notApplied: [], warnings: [] })
    assert.ok((await servedBy(ramp.urls.main, 30)).includes('c'), 'the new backend serves')
    assert.deepEqual(ramp.driver.state.stable.backends, [a.url, b.url, c.url], 'through the engine: the state holds the list')
    const events = (await admin<{ events: Array<{ event: string; detail: string }> }>(ramp, 'GET', '/api/v1/rollout/events')).body.events
    assert.equal(events.at(-1)?.event, 'setBackends')
  })

  test('an invalid file is refused with its problems, one line each, and the running config keeps serving', async (t) => {
    const a = await backend(t, { name: 'a' })
    const file = configFile(t, `${opening()}${stable(a.url)}`)
    const ramp = await rampOnFile(t, file.path)
    const before = ramp.config
    file.write(`${opening()}stable: { name: v1, backends: ["htp://x"] }\nweight: 100.5\n`)
    const res = await reloadVia(ramp)
    assert.equal(res.status, 400)
    assert.equal(res.body.error, 'RAMP_ERR_CONFIG_INVALID')
    assert.deepEqual(res.body.problems, ['stable.backends[0]: "htp://x" is not an http(s) URL', 'weight: 100.5 is above the maximum 100'])
    assert.equal(ramp.config, before)
    assert.deepEqual(await servedBy(ramp.urls.main, 5), ['a', 'a', 'a', 'a', 'a'])
  })

  test('a bound port needs a restart: reported, and the listener stays where it is', async (t) => {
    const a = await backend(t, { name: 'a' })
    const file = configFile(t, `${opening()}${stable(a.url)}`)
    const ramp = await rampOnFile(t, file.path)
    file.write(`${opening('level: warn').replace('port: 0 }\nadmin', 'port: 1 }\nadmin')}${stable(a.url)}`)
    const res = await reloadVia(ramp)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual({ changed: res.body.changed, needsRestart: res.body.needsRestart }, { changed: ['log.level'], needsRestart: ['listen.port'] })
    assert.equal(ramp.config.listen.port, 0, 'the config in force keeps the running port')
    assert.deepEqual(await servedBy(ramp.urls.main, 1), ['a'])
  })

  test('a new canary name is not a rollout: reported as not applied, the rollout stays', async (t) => {
    const [a, b] = [await backend(t, { name: 'a' }), await backend(t, { name: 'b' })]
    const file = configFile(t, `${opening()}${stable(a.url)}canary: { name: v2, backends: ["${b.url}"] }\nweight: 50\nreadiness: { enabled: false }\n`)
    const ramp = await rampOnFile(t, file.path)
    file.write(`${opening()}${stable(a.url)}canary: { name: v3, backends: ["${b.url}"] }\nweight: 50\nreadiness: { enabled: false }\n`)
    const res = await reloadVia(ramp)
    assert.equal(res.status, 200)
    const notApplied = res.body.notApplied as Array<{ field: string; message: string }>
    assert.deepEqual(notApplied.map((n) => n.field), ['canary'])
    assert.match(notApplied[0]?.message ?? '', /v3 is not a running version \(running: v1, v2\); reload does not start or change rollouts/)
    assert.equal(ramp.driver.state.canary?.name, 'v2')
  })

  test('with an admin token it needs the token, like every mutating call', async (t) => {
    const a = await backend(t, { name: 'a' })
    const file = configFile(t, `${opening()}${stable(a.url)}`)
    const ramp = await rampOnFile(t, file.path, { env: { RAMP_ADMIN_TOKEN: 's3cret' } })
    assert.equal((await reloadVia(ramp)).status, 401)
    assert.equal((await reloadVia(ramp, { authorization: 'Bearer s3cret' })).status, 200)
  })

  test('two reloads at once run one after the other: the second finds nothing left to change', async (t) => {
    const [a, b] = [await backend(t, { name: 'a' }), await backend(t, { name: 'b' })]
    const file = configFile(t, `${opening()}${stable(a.url)}`)
    const ramp = await rampOnFile(t, file.path)
    file.write(`${opening()}${stable(a.url, b.url)}`)
    // Asked in the same tick (the HTTP route calls the same function).
    const [first, second] = await Promise.all([ramp.reload('one'), ramp.reload('two')])
    assert.deepEqual([first.changed, second.changed], [['stable.backends'], []])
  })

  test('a ramp without a config file (the demo) has nothing to reload: 409', async (t) => {
    const { rampWith } = await import('../../support/ramp.js')
    const a = await backend(t, { name: 'a' })
    const ramp = await rampWith(t, `listen: { port: 0 }\n${stable(a.url)}`)
    const res = await reloadVia(ramp)
    assert.deepEqual({ status: res.status, error: res.body.error }, { status: 409, error: 'RAMP_ERR_RELOAD_NO_SOURCE' })
  })
})

describe('a reload takes effect on the next request', { concurrency: true }, () => {
  test('a route added to the file routes the very next matching request', async (t) => {
    const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
    const head = `${opening()}${stable(v1.url)}canary: { name: v2, backends: ["${v2.url}"] }\nreadiness: { enabled: false }\n`
    const file = configFile(t, head)
    const ramp = await rampOnFile(t, file.path)
    await waitFor('the canary to be routed', () => ramp.tables.current.canary !== null)
    const qa = { 'x-team': 'qa' }
    assert.equal((await get(ramp.urls.main, qa)).headers['x-demo-version'], 'v1')
    file.write(`${head}routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { exact: qa } } ], version: canary } ]\n`)
    assert.deepEqual((await reloadVia(ramp)).body.changed, ['routes'])
    assert.equal((await get(ramp.urls.main, qa)).headers['x-demo-version'], 'v2')
    assert.equal((await get(ramp.urls.main)).headers['x-demo-version'], 'v1', 'without the header, still by weight (0)')
  })

  test('a shorter upstream timeout applies to the next request; one already running keeps the agent it started on', async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const head = `${opening()}${stable(v1.url)}`
    const file = configFile(t, `${head}upstream: { headersTimeoutMs: 5000 }\n`)
    const ramp = await rampOnFile(t, file.path)
    // undici checks its timeouts on a coarse timer (up to a second late), hence the wide margins.
    const running = request(`${ramp.urls.main}/?delay=2500`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }))
    await waitFor('the slow request to reach the backend', () => v1.served() === 1)
    file.write(`${head}upstream: { headersTimeoutMs: 200 }\n`)
    assert.deepEqual((await reloadVia(ramp)).body.changed, ['upstream.headersTimeoutMs'])
    const next = await get(`${ramp.urls.main}/?delay=2500`)
    assert.equal(next.status, 504, next.body)
    assert.equal(next.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_TIMEOUT')
    assert.equal((await running).status, 200, 'the request in flight during the reload finished')
  })
})
