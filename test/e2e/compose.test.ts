import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse } from 'yaml'
import { loadConfigFile } from '../../src/config/load.js'
import { spawnRamp } from '../support/world/process.js'

const root = new URL('../../', import.meta.url)
interface Service { build?: string; command?: string[]; ports?: string[]; environment?: Record<string, string>; depends_on?: string[] }

// No Docker engine runs here: check the file's shape and that everything it names exists and works.
test('docker-compose.yml runs ramp and two demo backends with commands and files that exist', async (t) => {
  const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as { services: Record<string, Service> }
  assert.deepEqual(Object.keys(compose.services).sort(), ['ramp', 'v1', 'v2'])
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8')
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of (m[1] as string).split(/\s+/)) assert.ok(existsSync(new URL(src, root)), `Dockerfile copies ${src}, which does not exist`)
  }
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.equal(svc.build, '.', `${name} builds this repo`)
    const [command] = svc.command ?? []
    const help = spawnRamp(t, [command as string, '--help'])
    assert.equal((await help.exit).code, 0, `ramp ${command} --help: ${help.stderr()}`)
  }
  assert.deepEqual(compose.services.ramp?.ports, ['8080:8080', '8081:8081', '9191:9191'])
  const cmd = compose.services.ramp?.command ?? []
  const configPath = cmd[cmd.indexOf('-c') + 1] as string
  const config = loadConfigFile(new URL(configPath, root).pathname, { RAMP_ADMIN_TOKEN: 'x' })
  assert.equal(config.stable.backends[0], 'http://v1:9001', 'ramp reaches v1 by its service name')
  assert.equal(config.canary?.backends[0], 'http://v2:9002')
  for (const b of ['v1', 'v2'] as const) {
    const c = compose.services[b]?.command ?? []
    assert.equal(c[c.indexOf('--name') + 1], b)
    assert.equal(c[c.indexOf('--port') + 1], b === 'v1' ? '9001' : '9002')
  }
})

test('the demo backend runs here as compose runs it, and answers with its version and colour', async (t) => {
  const v1 = spawnRamp(t, ['demo-backend', '--name', 'v1', '--color', 'blue', '--port', '0'])
  await v1.line(/listening on/)
  const url = /listening on (\S+)/.exec(v1.stdout())?.[1] as string
  const res = await fetch(`${url}/`)
  assert.equal(res.headers.get('x-demo-version'), 'v1')
  assert.deepEqual(((await res.json()) as { color: string }).color, 'blue')
})
