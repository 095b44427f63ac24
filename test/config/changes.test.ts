import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { appliesTo, changedPaths, planReload, reloadRules, versionChanges } from '../../src/config/changes.js'
import { parseConfig, type Config } from '../../src/config/load.js'
import { ConfigSchema } from '../../src/config/schema.js'

const base = `
listen: { host: 127.0.0.1, port: 8080 }
admin: { host: 127.0.0.1, port: 9191 }
stable: { name: v1, backends: ["http://127.0.0.1:9001"] }
canary: { name: v2, backends: ["http://127.0.0.1:9002"] }
`
const load = (extra = '', head = base): Config => parseConfig(`${head}${extra}`, '/etc/ramp/ramp.yaml', {})
const both = { health: true, certificates: true }
const neither = { health: false, certificates: false }

describe('changedPaths: down through objects, a whole array or value otherwise', () => {
  const rows: Array<[string, unknown, unknown, string[]]> = [
    ['equal', { a: { b: 1 } }, { a: { b: 1 } }, []],
    ['a nested value', { a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }, ['a.c']],
    ['an array is one value', { r: [1, 2] }, { r: [1, 3] }, ['r']],
    ['a section that appears', { a: 1 }, { a: 1, p: { port: 1 } }, ['p']],
    ['a key that goes', { a: 1, b: 2 }, { a: 1 }, ['b']],
  ]
  for (const [name, a, b, paths] of rows) test(name, () => { assert.deepEqual(changedPaths(a, b), paths) })
})

describe('planReload: how each changed field takes effect', () => {
  const rows: Array<[string, string, Partial<Record<'live' | 'restart' | 'rollout' | 'versions', string[]>>]> = [
    ['upstream timeouts are live', 'upstream: { headersTimeoutMs: 100 }\n', { live: ['upstream.headersTimeoutMs'] }],
    ['routes are live', 'routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { exact: qa } } ] } ]\n', { live: ['routes'] }],
    ['log level and access log are live, the format is not', 'log: { level: debug, access: true, format: pretty }\n', { live: ['log.level', 'log.access'], restart: ['log.format'] }],
    ['client timeouts are live, the header size is not', 'clients: { keepAliveTimeoutMs: 1000, maxHeaderBytes: 4096 }\n', { live: ['clients.keepAliveTimeoutMs'], restart: ['clients.maxHeaderBytes'] }],
    ['retry, readiness, drain are live', 'retry: { attempts: 3 }\nreadiness: { intervalMs: 50 }\ndrainTimeoutMs: 1000\n', { live: ['retry.attempts', 'readiness.intervalMs', 'drainTimeoutMs'] }],
    ['the state store needs a restart', 'state: { store: memory }\n', { restart: ['state.store'] }],
    ['a weight or a strategy is the rollout\'s', 'weight: 30\nstrategy: { canary: { steps: [ { setWeight: 10 } ] } }\n', { rollout: ['weight', 'strategy'] }],
    ['a backend list is the versions\'', '', { versions: ['stable.backends'] }],
  ]
  for (const [name, extra, want] of rows) {
    test(name, () => {
      const head = name.startsWith('a backend') ? base.replace('9001"]', '9001", "http://127.0.0.1:9003"]') : base
      const plan = planReload(load(), load(extra, head), both)
      const sorted = (o: Record<string, string[]>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [...v].sort()]))
      assert.deepEqual(sorted({ live: plan.live, restart: plan.restart, rollout: plan.rollout, versions: plan.versions }), sorted({ live: [], restart: [], rollout: [], versions: [], ...want }))
    })
  }

  test('a field that needs a restart keeps its running value in the config put in force', () => {
    const running = load()
    const next = load('', base.replace('port: 8080', 'port: 8081').replace('port: 9191', 'port: 9192'))
    next.admin.token = 'new-token'
    next.upstream.headersTimeoutMs = 100
    const plan = planReload(running, next, both)
    assert.deepEqual(plan.restart.sort(), ['admin.port', 'admin.token', 'listen.port'])
    assert.equal(plan.effective.listen.port, 8080)
    assert.equal(plan.effective.admin.port, 9191)
    assert.equal(plan.effective.admin.token, undefined)
    assert.equal(plan.effective.upstream.headersTimeoutMs, 100, 'the live change is in force')
    assert.equal(next.listen.port, 8081, 'the loaded config is left as it was')
  })

  test('health and certificate fields need a restart while their part is not plugged in', () => {
    const extra = 'healthCheck: { enabled: true }\noutlier: { consecutive5xx: 2 }\n'
    const tls = 'listen: { host: 127.0.0.1, port: 8080, tls: { cert: a.pem, key: a.key } }\n'
    const running = load('', base.replace('listen: { host: 127.0.0.1, port: 8080 }\n', tls))
    const next = load(extra, base.replace('listen: { host: 127.0.0.1, port: 8080 }\n', tls.replace('a.pem', 'b.pem')))
    const unplugged = planReload(running, next, neither)
    assert.deepEqual(unplugged.restart, ['listen.tls.cert', 'healthCheck.enabled', 'outlier.consecutive5xx'])
    assert.equal(unplugged.effective.healthCheck.enabled, false)
    const plugged = planReload(running, next, both)
    assert.deepEqual(plugged.live, ['listen.tls.cert', 'healthCheck.enabled', 'outlier.consecutive5xx'])
    assert.deepEqual(plugged.health, ['healthCheck.enabled', 'outlier.consecutive5xx'])
  })

  test('turning TLS on or off needs a restart even with certificates plugged in', () => {
    const next = load('', base.replace('port: 8080 }', 'port: 8080, tls: { cert: a.pem, key: a.key } }'))
    assert.deepEqual(planReload(load(), next, both).restart, ['listen.tls'])
  })

  test('every top-level key of the schema has a rule', () => {
    const ruled = new Set(reloadRules.map(([path]) => path.split('.')[0]))
    for (const key of Object.keys(ConfigSchema.properties)) assert.ok(ruled.has(key), `no reload rule for ${key}`)
    assert.equal(appliesTo('somethingNew'), 'restart', 'a field nobody classified is not claimed applied')
  })
})

describe('versionChanges: the file\'s versions matched to the running ones by name', () => {
  const v = (name: string, ...ports: number[]) => ({ name, backends: ports.map((p) => `http://127.0.0.1:${p}`) })
  const file = (stable: string, canary?: string): Config => load('', `listen: { port: 8080 }\nstable: ${stable}\n${canary === undefined ? '' : `canary: ${canary}\n`}`)
  const rows: Array<[string, Config, Config, { stable: ReturnType<typeof v>; canary: ReturnType<typeof v> | null }, { updates: string[]; notApplied: string[] }]> = [
    ['a third backend for the running stable', file('{ name: v1, backends: ["http://127.0.0.1:1"] }'), file('{ name: v1, backends: ["http://127.0.0.1:1", "http://127.0.0.1:3"] }'), { stable: v('v1', 1), canary: null }, { updates: ['stable.backends v1 1,3'], notApplied: [] }],
    ['the running canary\'s list', file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2"] }'), file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:4"] }'), { stable: v('v1', 1), canary: v('v2', 2) }, { updates: ['canary.backends v2 4'], notApplied: [] }],
    ['after a promotion the file\'s canary is the running stable', file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2"] }'), file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2", "http://127.0.0.1:5"] }'), { stable: v('v2', 2), canary: null }, { updates: ['canary.backends v2 2,5'], notApplied: [] }],
    ['a new canary name is not a rollout', file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2"] }'), file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v3, backends: ["http://127.0.0.1:3"] }'), { stable: v('v1', 1), canary: v('v2', 2) }, { updates: [], notApplied: ['canary'] }],
    ['a canary taken out of the file does not abort', file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2"] }'), file('{ name: v1, backends: ["http://127.0.0.1:1"] }'), { stable: v('v1', 1), canary: v('v2', 2) }, { updates: [], notApplied: ['canary'] }],
    ['a file that caught up with the running state changes nothing', file('{ name: v1, backends: ["http://127.0.0.1:1"] }', '{ name: v2, backends: ["http://127.0.0.1:2"] }'), file('{ name: v2, backends: ["http://127.0.0.1:2"] }'), { stable: v('v2', 2), canary: null }, { updates: [], notApplied: ['canary'] }],
  ]
  for (const [name, running, next, state, want] of rows) {
    test(name, () => {
      const got = versionChanges(running, next, state)
      const ports = (bs: string[]) => bs.map((b) => b.split(':').pop()).join(',')
      assert.deepEqual({ updates: got.updates.map((u) => `${u.field} ${u.version} ${ports(u.backends)}`), notApplied: got.notApplied.map((n) => n.field) }, want)
    })
  }

  test('the note names the running versions and where to start a rollout', () => {
    const got = versionChanges(file('{ name: v1, backends: ["http://127.0.0.1:1"] }'), file('{ name: v9, backends: ["http://127.0.0.1:1"] }'), { stable: v('v1', 1), canary: null })
    assert.match(got.notApplied[0]?.message ?? '', /v9 is not a running version \(running: v1\); reload does not start or change rollouts: use `ramp deploy`/)
  })
})
