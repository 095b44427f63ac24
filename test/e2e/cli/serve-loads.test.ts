import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { release, settle } from '../../support/world/config.js'
import { rampBin, spawnProgram } from '../../support/world/process.js'

/**
 * What `ramp serve` must not load to start: schema compilers and their schemas (validators are
 * precompiled at build time; fastify's error serializer needs only fast-json-stringify's runtime), the OpenAPI generator (built at its first request), the bench,
 * pretty logging, Redis's client (for a store that is not Redis), and the parts of undici and prom-client it does not use. Run from dist/'s
 * modules (RAMP_UNBUNDLED=1), where every file a module loads is seen: ES modules through a
 * loader hook, CommonJS ones in require's cache once ramp listens.
 */
const unwanted = ['/@sinclair/typebox/', '/@fastify/swagger/', '/fast-json-stringify/index.js', '/@fastify/ajv-compiler/', '/ajv/dist/ajv.js', '/ajv/dist/compile/', '/autocannon/', '/pino-pretty/', '/undici/index.js', '/undici/lib/web/', '/prom-client/index.js', '/@opentelemetry/', '/dist/bench/', '/ioredis/', '/dist/state/redis.js']

test('ramp serve starts without loading schema compilers, the OpenAPI generator, the bench, pretty logging, Redis\'s client, or undici\'s and prom-client\'s indexes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-loads-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const esm = join(dir, 'esm.txt')
  const cjs = join(dir, 'cjs.txt')
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs'\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(esm)}, r.url + '\\n'); return r }\n`)
  writeFileSync(join(dir, 'preload.mjs'), [
    "import { register, createRequire } from 'node:module'",
    "import { writeFileSync } from 'node:fs'",
    `register(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)})`,
    'const require = createRequire(import.meta.url)',
    `process.on('SIGUSR2', () => { writeFileSync(${JSON.stringify(cjs)}, Object.keys(require.cache).join('\\n')); process.stdout.write('{"dumped":true}\\n') })`,
  ].join('\n'))
  const config = join(dir, 'ramp.yaml')
  writeFileSync(config, settle(release({ v1: 'http://127.0.0.1:9', v2: 'http://127.0.0.1:9', weight: 10, preview: true }), { process: true, workers: 1, logLevel: 'info' }))
  const proc = spawnProgram(t, process.execPath, ['--import', join(dir, 'preload.mjs'), rampBin, 'serve', '-c', config], { RAMP_UNBUNDLED: '1' })
  await proc.line(/ramp listening/)
  proc.child.kill('SIGUSR2')
  await proc.line(/"dumped":true/)
  const loaded = [...readFileSync(esm, 'utf8').split('\n'), ...readFileSync(cjs, 'utf8').split('\n')]
  assert.ok(loaded.some((f) => f.includes('/dist/ramp.js')), 'the hook saw ramp\'s modules')
  assert.deepEqual(unwanted.filter((u) => loaded.some((f) => f.includes(u))), [])
})
