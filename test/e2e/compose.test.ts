import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse } from 'yaml'
import { loadConfigFile } from '../../src/config/load.js'
import { spawnRamp } from '../support/world/process.js'

const root = new URL('../../', import.meta.url)
interface Service { build?: string; image?: string; command?: string[]; ports?: string[]; environment?: Record<string, string>; depends_on?: string[]; volumes?: string[] }

// No Docker engine runs here: check the file's shape and that everything it names exists and works.
test('docker-compose.yml runs a fleet of two ramp instances on Redis, two demo backends and Prometheus, with commands and files that exist', async (t) => {
  const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as { services: Record<string, Service> }
  assert.deepEqual(Object.keys(compose.services).sort(), ['prometheus', 'ramp-1', 'ramp-2', 'redis', 'v1', 'v2'])
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of (m[1] as string).split(/\s+/)) assert.ok(existsSync(new URL(src, root)), `Dockerfile copies ${src}, which does not exist`)
  }
  const ours = ['v1', 'v2', 'ramp-1', 'ramp-2']
  for (const name of ours) {
    const svc = compose.services[name] as Service
    assert.equal(svc.build, '.', `${name} builds this repo`)
    const [command] = svc.command ?? []
    const help = spawnRamp(t, [command as string, '--help'])
    assert.equal((await help.exit).code, 0, `ramp ${command} --help: ${help.stderr()}`)
  }
  assert.deepEqual(compose.services['ramp-1']?.ports, ['8080:8080', '8081:8081', '9191:9191'])
  assert.deepEqual(compose.services['ramp-2']?.ports, ['8090:8080', '8091:8081', '9192:9191'])

  const instances = ['ramp-1', 'ramp-2'].map((name) => {
    const svc = compose.services[name] as Service
    const cmd = svc.command ?? []
    const env = { RAMP_ADMIN_TOKEN: 'x', ...svc.environment }
    return { name, config: loadConfigFile(new URL(cmd[cmd.indexOf('-c') + 1] as string, root).pathname, env) }
  })
  for (const { name, config } of instances) {
    assert.equal(config.stable.backends[0], 'http://v1:9001', 'ramp reaches v1 by its service name')
    assert.equal(config.canary?.backends[0], 'http://v2:9002')
    assert.equal(config.state.store, 'redis')
    assert.equal(new URL(config.state.url ?? '').host, 'redis:6379', 'ramp reaches Redis by its service name')
    assert.equal(config.state.instance, name, 'each instance is named after its service')
    assert.equal(config.admin.metricsPublic, true, 'Prometheus scrapes /metrics without the admin token')
    assert.deepEqual(compose.services[name]?.depends_on?.sort(), ['redis', 'v1', 'v2'])
  }
  assert.equal(instances[0]?.config.state.key, instances[1]?.config.state.key, 'both instances share one rollout')
  for (const b of ['v1', 'v2'] as const) {
    const c = compose.services[b]?.command ?? []
    assert.equal(c[c.indexOf('--name') + 1], b)
    assert.equal(c[c.indexOf('--port') + 1], b === 'v1' ? '9001' : '9002')
  }

  // Prometheus scrapes both instances' admin listeners, with a file promtool accepts.
  const mount = compose.services.prometheus?.volumes?.[0]?.split(':')[0] as string
  const promFile = new URL(mount, root).pathname
  const check = spawnSync('promtool', ['check', 'config', promFile], { encoding: 'utf8' })
  assert.equal(check.status, 0, check.stdout + check.stderr)
  const prom = parse(readFileSync(promFile, 'utf8')) as { scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }> }
  const job = prom.scrape_configs[0]
  assert.equal(job?.metrics_path, '/metrics')
  assert.deepEqual(job?.static_configs[0]?.targets, instances.map(({ name, config }) => `${name}:${config.admin.port}`))
})

test('the demo backend runs here as compose runs it, and answers with its version and colour', async (t) => {
  const v1 = spawnRamp(t, ['demo-backend', '--name', 'v1', '--color', 'blue', '--port', '0'])
  await v1.line(/listening on/)
  const url = /listening on (\S+)/.exec(v1.stdout())?.[1] as string
  const res = await fetch(`${url}/`)
  assert.equal(res.headers.get('x-demo-version'), 'v1')
  assert.deepEqual(((await res.json()) as { color: string }).color, 'blue')
})
