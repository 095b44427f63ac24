import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, test, type TestContext } from 'node:test'
import { parse } from 'yaml'
import { cli, said, type CliResult } from './run.js'

function folder(t: TestContext): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return (name, text) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
}

/**
 * A Rollout as found in a Kubernetes repository, behind a Service in the same file: every
 * kind of field ramp keeps, drops by name, or drops as a step it does not run.
 */
const manifest = `apiVersion: v1
kind: Service
metadata: { name: shop }
spec: { ports: [ { port: 80 } ] }
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: shop }
spec:
  replicas: 5
  progressDeadlineSeconds: 120
  strategy:
    canary:
      canaryService: shop-canary
      stableService: shop-stable
      trafficRouting:
        nginx: { stableIngress: shop }
      analysis:
        templates: [ { templateName: success-rate } ]
      steps:
        - setWeight: 20
        - pause: {}
        - setCanaryScale: { replicas: 3 }
        - analysis:
            templates: [ { templateName: success-rate } ]
        - setWeight: 50
        - pause: { duration: 30s }
`

describe('ramp validate', { concurrency: true }, () => {
  test('a good file exits 0 saying valid, with a warning for each Argo field it ignores', async (t) => {
    const file = folder(t)('good.yaml', `
listen: { port: 18080 }
stable: { name: v1, backends: ["http://127.0.0.1:9001"] }
canary: { name: v2, backends: ["http://127.0.0.1:9002"] }
strategy:
  canary:
    trafficRouting: { nginx: { stableIngress: shop } }
    steps: [ { setWeight: 20 }, { pause: { duration: 1s } } ]
`)
    const r = await cli(t, ['validate', file])
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^warning: strategy\.canary\.trafficRouting ignored: ramp is the traffic router$/m)
    assert.match(r.stdout, new RegExp(`^${file}: valid \\(canary, stable v1, canary v2, with a strategy\\)$`, 'm'))
  })

  test('a bad file exits 2 with each problem on its own line', async (t) => {
    const file = folder(t)('bad.yaml', `
listen: { port: 18080 }
stable: { name: v1, backends: ["http://127.0.0.1:9001"] }
canary: { name: v2, backends: ["htp://x"] }
weight: 100.5
strategy:
  canary:
    steps: [ { pause: { duration: soon } } ]
`)
    const r = await cli(t, ['validate', file])
    assert.equal(r.code, 2, said(r))
    assert.equal(r.stdout, '')
    const lines = r.stderr.split('\n').map((l) => l.trim())
    for (const problem of ['canary.backends[0]: "htp://x" is not an http(s) or h2c URL', 'weight: 100.5 is above the maximum 100', 'strategy.canary.steps[0].pause.duration']) {
      assert.ok(lines.some((l) => l.startsWith(problem)), `missing "${problem}":\n${r.stderr}`)
    }
    assert.match(r.stderr, /has 3 problems/)
  })
})

describe('ramp import', { concurrency: true }, () => {
  // One import of the manifest, read by the tests below.
  let imported: Promise<CliResult>
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ramp-cli-'))
    const file = join(dir, 'rollout.yaml')
    writeFileSync(file, manifest)
    imported = cli(null, ['import', file]).finally(() => rmSync(dir, { recursive: true, force: true }))
  })

  test('prints a config validate accepts, with a comment naming each dropped field and why', async (t) => {
    const r = await imported
    assert.equal(r.code, 0, said(r))
    assert.equal(r.stderr, '')

    const comments = r.stdout.split('\n').filter((l) => l.startsWith('#'))
    for (const [field, why] of [
      ['strategy.canary.canaryService', 'ramp routes to backends directly, not through Services'],
      ['strategy.canary.stableService', 'ramp routes to backends directly, not through Services'],
      ['strategy.canary.trafficRouting', 'ramp is the traffic router'],
      ['strategy.canary.steps[2].setCanaryScale', 'ramp does not scale replicas'],
      ['.analysis dropped', 'template success-rate is not an AnalysisTemplate of this file'],
      ['strategy.canary.analysis', 'template success-rate is not an AnalysisTemplate of this file'],
      ['spec.replicas', 'ramp does not scale replicas'],
    ] as const) {
      assert.ok(comments.some((c) => c.includes(field) && c.includes(why)), `no comment for ${field} (${why}):\n${comments.join('\n')}`)
    }

    const config = parse(r.stdout) as { stable: { name: string }; strategy: unknown; progressDeadlineSeconds: number }
    assert.deepEqual(config.strategy, { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '30s' } }] } })
    assert.equal(config.progressDeadlineSeconds, 120)

    const checked = await cli(t, ['validate', folder(t)('ramp.yaml', r.stdout)])
    assert.equal(checked.code, 0, said(checked))
    assert.match(checked.stdout, /: valid \(canary, stable stable, with a strategy\)$/m)
    assert.doesNotMatch(checked.stdout, /warning/, 'import dropped everything validate would ignore')
  })

  test('a dropped step is named by its index in the manifest', async () => {
    const r = await imported
    assert.equal(r.code, 0, said(r))
    assert.match(r.stdout, /^# +strategy\.canary\.steps\[3\]\.analysis dropped/m)
    assert.doesNotMatch(r.stdout, /steps\[2\]\.analysis/)
  })

  test('a file without a Rollout or a Flagger Canary exits 2', async (t) => {
    const file = folder(t)('service.yaml', manifest.split('---')[0] ?? '')
    const r = await cli(t, ['import', file])
    assert.equal(r.code, 2, said(r))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, new RegExp(`^${file} has no document with kind: Rollout \\(Argo Rollouts\\) or kind: Canary \\(Flagger\\)$`, 'm'))
  })

  test('a manifest that is not YAML exits 2 naming the YAML error', async (t) => {
    const file = folder(t)('broken.yaml', 'kind: Rollout\nspec: [\n')
    const r = await cli(t, ['import', file])
    assert.equal(r.code, 2, said(r))
    assert.match(r.stderr, /at line \d+, column \d+/, 'the YAML error, with its position')
    assert.doesNotMatch(r.stderr, /give exactly one of canary, blueGreen/)
  })
})
