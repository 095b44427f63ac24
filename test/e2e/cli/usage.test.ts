import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { refusingUrl } from '../../support/world/ports.js'
import { answering, recorder } from '../../support/world/recorder.js'
import { cli, said } from './run.js'

const commands = ['serve', 'demo', 'validate', 'import', 'status', 'deploy', 'promote', 'abort', 'retry', 'pause', 'resume', 'set-weight', 'reload', 'demo-backend']

// Nothing here shares state, and starting node dominates the run time.
describe('usage', { concurrency: true }, () => {
  test('ramp --help exits 0 and lists every command', async (t) => {
    const r = await cli(t, ['--help'])
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^Usage: ramp /)
    for (const c of commands) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), `${c} is not listed`)
  })

  for (const c of commands) {
    test(`ramp ${c} --help exits 0 and describes ${c}`, async (t) => {
      const r = await cli(t, [c, '--help'])
      assert.equal(r.code, 0, said(r))
      assert.match(r.stdout, new RegExp(`^Usage: ramp ${c} `))
      assert.match(r.stdout, /^Options:$/m)
      assert.equal(r.stderr, '')
    })
  }

  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  for (const [flag, env] of [['--version', {}], ['-V', {}], ['--version', { RAMP_UNBUNDLED: '1' }]] as const) {
    test(`ramp ${flag}${'RAMP_UNBUNDLED' in env ? ' (unbundled)' : ''} prints the package's version and exits 0`, async (t) => {
      const r = await cli(t, [flag], env)
      assert.equal(r.code, 0, said(r))
      assert.equal(r.stdout, `${version}\n`)
      assert.equal(r.stderr, '')
    })
  }

  const mistakes = [
    { args: ['nope'], says: "unknown command 'nope'" },
    { args: ['deploy', '--backend', 'http://127.0.0.1:9'], says: "required option '--name <version>' not specified" },
    { args: ['set-weight'], says: "missing required argument 'weight'" },
  ]
  for (const m of mistakes) {
    test(`ramp ${m.args.join(' ')} is a usage error: exit 2, saying so`, async (t) => {
      // A usage error must stop before any call, so the admin API it would use is a tripwire.
      const server = await recorder(t, answering(500))
      const r = await cli(t, m.args, { RAMP_ADMIN_URL: server.url })
      assert.equal(r.code, 2, said(r))
      assert.ok(r.stderr.split('\n').includes(`error: ${m.says}`), said(r))
      assert.match(r.stderr, /--help/)
      assert.equal(server.seen.length, 0)
    })
  }
})

describe('reaching the admin API', { concurrency: true }, () => {
  test('an admin API nobody listens on exits 1: cannot reach the ramp admin API', async (t) => {
    const url = await refusingUrl()
    const r = await cli(t, ['status', '--admin', url])
    assert.equal(r.code, 1, said(r))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, new RegExp(`^cannot reach the ramp admin API at ${url} \\(ECONNREFUSED\\)`))
  })

  test('--admin not-a-url exits 2', async (t) => {
    const r = await cli(t, ['promote', '--admin', 'not-a-url'])
    assert.equal(r.code, 2, said(r))
    assert.match(r.stderr, /--admin "not-a-url" is not an http\(s\) URL/)
  })

  test('--admin with a scheme other than http(s) exits 2', async (t) => {
    const r = await cli(t, ['status', '--admin', 'ftp://127.0.0.1:9191'])
    assert.equal(r.code, 2, said(r))
    assert.match(r.stderr, /--admin "ftp:\/\/127\.0\.0\.1:9191" is not/)
  })

  test('RAMP_ADMIN_URL is used when --admin is not given, and --admin wins over it', async (t) => {
    const server = await recorder(t, answering(500))
    const byEnv = await cli(t, ['status'], { RAMP_ADMIN_URL: server.url })
    assert.equal(byEnv.code, 1, said(byEnv))
    assert.match(byEnv.stderr, /^ramp refused GET \/api\/v1\/rollout \(500/)
    assert.equal(server.seen.length, 1)

    const url = await refusingUrl()
    const byFlag = await cli(t, ['status', '--admin', url], { RAMP_ADMIN_URL: server.url })
    assert.equal(byFlag.code, 1, said(byFlag))
    assert.match(byFlag.stderr, new RegExp(`^cannot reach the ramp admin API at ${url} `))
    assert.equal(server.seen.length, 1, 'the environment\'s URL was not called')
  })
})
