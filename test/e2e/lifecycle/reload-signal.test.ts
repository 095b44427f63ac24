import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { cli, said } from '../cli/run.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

test('SIGHUP with a third backend in the file: traffic reaches it, a long request in flight is not dropped; then an invalid file is logged and the old config keeps serving', async (t) => {
  const [a, b, c] = await backends(t, 'a', 'b', 'c')
  const w = await world(t, { config: release({ v1: [a.url, b.url] }), process: true })

  const long = request(`${w.urls.main}/?delay=1500`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }))
  await waitFor('the long request to reach a backend', () => a.served() + b.served() === 1)
  w.writeConfig(release({ v1: [a.url, b.url, c.url] }))
  w.proc.child.kill('SIGHUP')
  const reloaded = JSON.parse(await w.proc.line(/configuration reloaded/)) as { reload: { changed: string[] } }
  assert.deepEqual(reloaded.reload.changed, ['stable.backends'])
  assert.ok((await w.sequence(30)).includes('c'), 'the third backend serves')
  const answered = await long
  assert.equal(answered.status, 200)
  assert.match(answered.body, /"version":"[ab]"/)

  w.writeConfig(release({ v1: 'htp://x' }))
  w.proc.child.kill('SIGHUP')
  const refused = JSON.parse(await w.proc.line(/reload refused/)) as { level: number; msg: string; reload: { problems: string[] } }
  assert.equal(refused.level, 50, 'logged at error')
  assert.deepEqual(refused.reload.problems, ['stable.backends[0]: "htp://x" is not an http(s) or h2c URL'])
  assert.match(refused.msg, /the running configuration stays in force/)
  const after = await w.sequence(30)
  assert.ok(after.includes('c'), 'still the three backends of the last good file')
  assert.equal(w.proc.child.exitCode, null, 'still running')
  assert.ok(!w.logs().some((l) => l.level === 60), 'nothing fatal')
})

test('ramp reload prints what changed, and exits 2 with the problems of an invalid file', async (t) => {
  const [a, b] = await backends(t, 'a', 'b')
  const w = await world(t, { config: release({ v1: a.url }) })

  w.writeConfig(`${release({ v1: [a.url, b.url] })}name: checkout\n`)
  const ok = await cli(t, ['reload', '--admin', w.urls.admin])
  assert.equal(ok.code, 0, said(ok))
  assert.equal(ok.stdout, `reloaded ${w.configPath}\nchanged: stable.backends\nneeds a restart: name\n`)

  w.writeConfig(`${release({ v1: a.url })}weight: 100.5\nnope: 1\n`)
  const bad = await cli(t, ['reload', '--admin', w.urls.admin])
  assert.equal(bad.code, 2, said(bad))
  assert.equal(bad.stdout, '')
  const lines = bad.stderr.split('\n').map((l) => l.trim())
  for (const problem of ['nope: unknown key', 'weight: 100.5 is above the maximum 100']) assert.ok(lines.some((l) => l.startsWith(problem)), said(bad))
  assert.deepEqual((await w.rollout()).stable.backends, [a.url, b.url], 'the last good file stays in force')
})
