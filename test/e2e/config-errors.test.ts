import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { spawnRamp } from '../support/world/process.js'

const good = {
  listen: '{ port: 18080 }',
  stable: '{ name: v1, backends: ["http://127.0.0.1:9001"] }',
  canary: '{ name: v2, backends: ["http://127.0.0.1:9002"] }',
}

const cases = [
  { name: 'an unknown key', yaml: `listen: ${good.listen}\nstable: ${good.stable}\nlisten_port: 8080\n`, says: 'listen_port: unknown key' },
  { name: 'a malformed backend URL', yaml: `listen: ${good.listen}\nstable: ${good.stable}\ncanary: { name: v2, backends: ["http://127.0.0.1:9002", "htp://x"] }\n`, says: 'canary.backends[1]: "htp://x" is not an http(s) or h2c URL' },
  { name: 'weight 100.5', yaml: `listen: ${good.listen}\nstable: ${good.stable}\ncanary: ${good.canary}\nweight: 100.5\n`, says: 'weight: 100.5 is above the maximum 100' },
  { name: 'duplicate version names', yaml: `listen: ${good.listen}\nstable: ${good.stable}\ncanary: { name: v1, backends: ["http://127.0.0.1:9002"] }\n`, says: 'canary.name: "v1" is also the stable version\'s name' },
  { name: 'a missing stable', yaml: `listen: ${good.listen}\ncanary: ${good.canary}\n`, says: 'stable: is required' },
] as const

for (const c of cases) {
  test(`ramp serve with ${c.name} exits 2 and names the problem with its path`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ramp-config-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, c.yaml)
    const ramp = spawnRamp(t, ['serve', '-c', file])
    const { code } = await ramp.exit
    assert.equal(code, 2)
    assert.ok(ramp.stderr().split('\n').some((l) => l.trim() === c.says || l.trim().startsWith(c.says)), `stderr lacks "${c.says}":\n${ramp.stderr()}`)
    assert.doesNotMatch(ramp.stdout(), /ramp listening/, 'nothing started')
  })
}

test('every problem of a file is printed, one line each', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, `listen: ${good.listen}\nstable: ${good.stable}\ncanary: { name: v2, backends: ["htp://x"] }\nweight: 100.5\nnope: 1\n`)
  const ramp = spawnRamp(t, ['validate', file])
  const { code } = await ramp.exit
  assert.equal(code, 2)
  const lines = ramp.stderr().split('\n').map((l) => l.trim())
  for (const expected of ['nope: unknown key', 'canary.backends[0]: "htp://x" is not an http(s) or h2c URL', 'weight: 100.5 is above the maximum 100']) {
    assert.ok(lines.some((l) => l.startsWith(expected)), `missing "${expected}" in:\n${ramp.stderr()}`)
  }
  assert.match(ramp.stderr(), /has 3 problems/)
})

test('ramp validate accepts the shipped example configurations', async (t) => {
  for (const name of ['canary', 'bluegreen', 'demo']) {
    const ramp = spawnRamp(t, ['validate', new URL(`../../config/${name}.yaml`, import.meta.url).pathname])
    const { code } = await ramp.exit
    assert.equal(code, 0, `config/${name}.yaml: ${ramp.stderr()}`)
    assert.match(ramp.stdout(), /valid/)
  }
})
