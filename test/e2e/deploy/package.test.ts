import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { Pool } from 'undici'
import { parse } from 'yaml'
import { processTree, statFields } from '../../../src/bench/process-tree.js'
import { execForm, imageStage } from '../../support/dockerfile.js'
import { backend } from '../../support/world/backends.js'
import { waitFor } from '../../support/world/eventually.js'
import { accessLines, logLines } from '../../support/world/logs.js'
import { listening, spawnProgram } from '../../support/world/process.js'

// The package as the image holds it: `npm pack`, then the Dockerfile's recipe for /app (the
// tarball unpacked, its production dependencies installed from the lockfile), from npm's cache
// once `npm ci` ran in the repo (the registry only for what it lacks). The tarball is packed
// without scripts, because `npm test` has just built dist/ and other test files run from it.

const root = new URL('../../../', import.meta.url).pathname
const run = promisify(execFile)
const work = mkdtempSync(join(tmpdir(), 'ramp-package-'))
const app = join(work, 'app')
let files: string[] = []

before(async () => {
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root })
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
  files = (info?.files ?? []).map((f) => f.path)
  mkdirSync(app)
  await run('tar', ['-xzf', join(work, info?.filename ?? ''), '-C', app, '--strip-components=1'])
  copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'))
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app })
})
after(() => rmSync(work, { recursive: true, force: true }))

const ramp = (args: string[]): Promise<{ stdout: string; stderr: string }> => run(join(app, 'bin/ramp.js'), args, { env: { PATH: process.env.PATH } })

test('the tarball holds the launcher, the build and the configurations it reads, and no sources, tests, source maps or bench results', () => {
  const shipped = /^(package\.json|README\.md|LICENSE|bin\/ramp\.js|dist\/.+\.c?js|dist\/ui\/[\w.-]+\.(html|css|svg)|config\/[\w-]+\.(yaml|json))$/
  assert.deepEqual(files.filter((f) => !shipped.test(f)), [])
  for (const needed of ['dist/bundle/main.js', 'dist/startup-memory.js', 'config/demo.yaml', 'dist/config/validator.generated.cjs', 'dist/bench/scenarios/overhead.js', 'dist/bench/children/backends.js', 'dist/ui/index.html', 'dist/ui/dashboard.js']) {
    assert.ok(files.includes(needed), `${needed} is not in the tarball`)
  }
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { command?: string[] }> }
  const configs = Object.values(compose.services).flatMap((s) => (s.command?.[0] === 'serve' ? [s.command[s.command.indexOf('-c') + 1] as string] : []))
  assert.ok(configs.length > 0, 'docker-compose.yml runs ramp serve')
  for (const config of configs) assert.ok(files.includes(config), `docker-compose.yml runs the image's ${config}, which the package (the image's /app) lacks`)
})

test('installed without dev dependencies, ramp answers --help, validates the example configs, lists the bench scenarios and runs one', async () => {
  const help = await ramp(['--help'])
  for (const command of ['serve', 'demo', 'validate', 'bench', 'status']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'))
  for (const example of ['canary', 'bluegreen']) {
    assert.match((await ramp(['validate', join(app, `config/${example}.yaml`)])).stdout, /: valid/)
  }
  assert.match((await ramp(['bench', '--help'])).stdout, /^Usage: ramp bench /m)
  const scenarios = (await ramp(['bench', '--list'])).stdout
  for (const s of ['overhead', 'split', 'startup']) assert.match(scenarios, new RegExp(`^${s}\\b`, 'm'))
  // A short bench: its scenario, helpers and load generator come from the package too.
  await ramp(['bench', 'soak', '--requests', '1000', '--connections', '10', '--out', join(work, 'bench')])
  assert.equal((JSON.parse(readFileSync(join(work, 'bench/report.json'), 'utf8')) as { scenario: string }).scenario, 'soak')
  assert.equal(existsSync(join(app, 'node_modules/typescript')), false, 'dev dependencies were left out')
})

test('ramp demo from the package serves v1 and v2 (in a network namespace of its own, so its fixed ports are free)', async (t) => {
  const demo = spawnProgram(t, 'unshare', ['--net', 'sh', '-c', `ip link set lo up && exec ${join(app, 'bin/ramp.js')} demo --no-traffic`])
  await demo.line(/ramp demo is running/, 15_000)
  const version = async (url: string, headers: string[] = []): Promise<string> => {
    const { stdout } = await run('nsenter', [`--net=/proc/${demo.child.pid}/ns/net`, 'curl', '-sS', ...headers, url])
    return (JSON.parse(stdout) as { version: string }).version
  }
  assert.equal(await version('http://127.0.0.1:8080/', ['-H', 'x-ramp-version: v1']), 'v1')
  assert.equal(await version('http://127.0.0.1:8080/', ['-H', 'x-ramp-version: v2']), 'v2')
  assert.equal(await version('http://127.0.0.1:8081/'), 'v2', 'the preview listener')
  demo.child.kill('SIGTERM')
  assert.deepEqual(await demo.exit, { code: 0, signal: null }, demo.stderr())
})

// The image's ENTRYPOINT, its paths under /app taken from the installed package, run as PID 1
// of a new PID namespace, as a container runtime starts it.
test('the image entrypoint as PID 1: orphans are reaped, the health check follows /readyz, SIGTERM under load drains every accepted request and exits 0', async (t) => {
  const stage = imageStage(readFileSync(join(root, 'Dockerfile'), 'utf8'))
  const entrypoint = execForm(stage, 'ENTRYPOINT').map((a) => a.replace(/^\/app\//, `${app}/`))
  assert.ok(existsSync(entrypoint[0] as string), `${entrypoint[0]} is missing: install Debian's tini (.ci/run does)`)
  const v1 = await backend(t, { name: 'v1' })
  const reached = new Set<string>()
  v1.server.on('request', (req: IncomingMessage) => { reached.add(new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '') })
  const config = join(work, 'pid1.yaml')
  writeFileSync(config, [
    'listen: { host: 127.0.0.1, port: 0 }',
    'admin: { host: 127.0.0.1, port: 0 }',
    `state: { store: file, path: ${join(work, 'state.json')} }`,
    `stable: { name: v1, backends: [ "${v1.url}" ] }`,
    'workers: 2',
    'drainTimeoutMs: 10000',
    'log: { access: true }',
  ].join('\n'))
  const proc = spawnProgram(t, 'unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...entrypoint, 'serve', '-c', config])
  const urls = await listening(proc)
  const init = processTree(proc.child.pid as number).find((pid) => Number(statFields(pid)?.[1]) === proc.child.pid) as number
  assert.equal(readFileSync(`/proc/${init}/status`, 'utf8').match(/^NSpid:\s+\d+\s+(\d+)$/m)?.[1], '1', 'the entrypoint runs as PID 1 of its namespace')

  // A process that leaves a child behind in the container, as `kubectl exec` or a health
  // check can: the child lands on PID 1, which must reap it when it exits.
  await run('nsenter', [`--target=${init}`, '--pid', '--', 'sh', '-c', 'sleep 1 </dev/null >/dev/null 2>&1 & exit 0'])
  const orphans = processTree(init).filter((pid) => Number(statFields(pid)?.[1]) === init && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'))
  assert.equal(orphans.length, 1, 'the orphaned sleep was handed to PID 1')
  await waitFor('the orphan to exit and be reaped', () => orphans.every((pid) => statFields(pid) === null), 3000)
    .catch(() => { throw new Error(`orphan left as a zombie: ${orphans.map((pid) => statFields(pid)?.[0]).join(',')}`) })

  const healthcheck = execForm(stage, 'HEALTHCHECK')
  const healthy = (): Promise<number> => run(healthcheck[0] as string, healthcheck.slice(1), { env: { PATH: process.env.PATH, RAMP_HEALTHCHECK_URL: `${urls.admin}/readyz` } }).then(() => 0, (err: { code: number }) => err.code)
  assert.equal(await healthy(), 0, 'the HEALTHCHECK passes while ramp is ready')

  const pool = new Pool(urls.main, { connections: 8, pipelining: 1 })
  t.after(() => pool.destroy())
  const outcomes: { status?: number; error?: string }[] = []
  const send = async (path: string): Promise<{ status?: number; error?: string }> => {
    const o: { status?: number; error?: string } = {}
    outcomes.push(o)
    try {
      const res = await pool.request({ method: 'GET', path })
      await res.body.dump()
      o.status = res.statusCode
    } catch (err) {
      o.error = (err as { code?: string }).code ?? String(err)
    }
    return o
  }
  const load = Promise.all(Array.from({ length: 6 }, async () => { while ((await send('/')).error === undefined); }))
  await waitFor('some load', () => outcomes.filter((o) => o.status === 200).length > 100, 10_000)
  const slow = [0, 1].map((i) => send(`/?id=slow-${i}&delay=1000`))
  await waitFor('the slow requests to reach the backend', () => reached.has('slow-0') && reached.has('slow-1'))

  process.kill(init, 'SIGTERM')
  const [slowDone] = await Promise.all([Promise.all(slow), load])
  assert.deepEqual(await proc.exit, { code: 0, signal: null }, proc.stderr())
  assert.deepEqual(slowDone.map((o) => o.status), [200, 200], 'requests in flight at SIGTERM were answered')
  const accepted = accessLines(logLines(proc.stdout()))
  assert.ok(accepted.length > 100)
  assert.deepEqual(accepted.filter((a) => a.status !== 200 || !a.completed), [], 'every accepted request was answered whole')
  assert.deepEqual(outcomes.filter((o) => o.status !== undefined && o.status !== 200), [])
  assert.notEqual(await healthy(), 0, 'the HEALTHCHECK fails once ramp is gone')
})

