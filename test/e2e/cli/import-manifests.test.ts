import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { tally } from '../../support/world/traffic.js'
import { world, type World } from '../../support/world/world.js'
import { cli, said, type CliResult } from './run.js'

// Each manifest under manifests/ is written in Argo's or Flagger's format for one feature; the imported
// config is checked, then run against loopback backends where the feature moves traffic.

const manifest = (name: string): string => fileURLToPath(new URL(`manifests/${name}`, import.meta.url))

interface Imported {
  result: CliResult
  config: { strategy: { canary: { steps: unknown[]; analysis?: unknown }; blueGreen?: unknown }; webhooks?: Array<Record<string, unknown>>; analysis?: { templates: Array<{ name: string; metrics: unknown[] } & Record<string, unknown>> }; progressDeadlineAbort?: boolean; progressDeadlineSeconds?: number }
  notes: string[]
}

async function imported(t: TestContext, name: string, args: string[] = []): Promise<Imported> {
  const result = await cli(t, ['import', manifest(name), ...args])
  assert.equal(result.code, 0, said(result))
  assert.equal(result.stderr, '')
  const notes = result.stdout.split('\n').filter((l) => l.startsWith('#   ')).map((l) => l.slice(4))
  return { result, config: parse(result.stdout) as Imported['config'], notes }
}

/** validate accepts the imported config, with no warning left: import dropped all it would. */
async function validates(t: TestContext, r: Imported): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-import-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'ramp.yaml')
  writeFileSync(file, r.result.stdout)
  const checked = await cli(t, ['validate', file])
  assert.equal(checked.code, 0, said(checked))
  assert.doesNotMatch(checked.stdout, /warning/)
}

/**
 * Runs the imported steps with v1 stable and v2 the canary, exact balance so shares are
 * counts. The analysis is left out: these runs check the weights and routes of each step.
 */
async function run(t: TestContext, r: Imported): Promise<World> {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  return world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: { canary: { steps: r.config.strategy.canary.steps } }, more: 'balance: exact' }) })
}

async function pausedAt(w: World, step: number): Promise<void> {
  await w.until(`a pause at step ${step}`, (v) => v.phase === 'Paused' && v.step === step)
  await w.routed()
}

const beta = { 'x-beta': '1' }

describe('ramp import of Argo manifests', { concurrency: true }, () => {
  test('a step with a header route and a pause runs as two steps in Argo\'s order, whatever the order of its keys', async (t) => {
    const r = await imported(t, 'argo-multi-action.yaml')
    assert.deepEqual(r.config.strategy.canary.steps.map((s) => Object.keys(s as object)[0]), ['setWeight', 'setHeaderRoute', 'pause', 'setHeaderRoute', 'pause', 'setWeight'])
    assert.ok(r.notes.includes('strategy.canary.steps[1] (pause, setHeaderRoute) runs as 2 steps, in the order Argo carries them out: setHeaderRoute, then pause'), r.notes.join('\n'))
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 2)
    assert.deepEqual(tally(await w.sequence(100)), { v1: 80, v2: 20 }, 'weight 20 from step 0')
    assert.deepEqual(tally(await w.sequence(20, beta)), { v2: 20 }, 'the header route of step 1')
    assert.equal((await w.admin.promote()).status, 200)
    await pausedAt(w, 4)
    assert.equal((await w.rollout()).routing.routes.length, 0, 'step 3 removed the route before the pause of the same Argo step')
  })

  test('the same multi-action step given to POST /api/v1/rollout runs the same way', async (t) => {
    const r = await imported(t, 'argo-multi-action.yaml')
    const [v1, v3] = await backends(t, 'v1', 'v3')
    const w = await world(t, { config: release({ v1: v1.url, more: 'balance: exact' }) })
    const res = await w.admin.deploy({ name: 'v3', backends: [v3.url] }, { strategy: { canary: { steps: [
      { setWeight: 20 }, { pause: {}, setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: '1' } }] } },
    ] } } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    await pausedAt(w, 2)
    assert.deepEqual((await w.rollout()).steps.map((s) => Object.keys(s.step)), r.config.strategy.canary.steps.slice(0, 3).map((s) => Object.keys(s as object)))
    assert.deepEqual(tally(await w.sequence(20, beta)), { v3: 20 })
  })

  test('a strategy pasted into POST /api/v1/rollout with Kubernetes-only fields runs, and the answer names what was dropped', async (t) => {
    const [v1, v3] = await backends(t, 'v1', 'v3')
    const w = await world(t, { config: release({ v1: v1.url, more: 'balance: exact' }) })
    const res = await w.admin.deploy({ name: 'v3', backends: [v3.url] }, { strategy: { canary: {
      canaryService: 'shop-canary', maxSurge: '25%', trafficRouting: { nginx: { stableIngress: 'shop' } },
      steps: [{ setCanaryScale: { weight: 20 } }, { setWeight: 30 }, { pause: {} }],
    } } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual((res.body as { ignored?: string[] }).ignored, [
      'strategy.canary.canaryService ignored: ramp routes to backends directly, not through Services',
      'strategy.canary.maxSurge ignored: ramp does not scale replicas',
      'strategy.canary.trafficRouting ignored: ramp is the traffic router',
      'strategy.canary.steps[0].setCanaryScale ignored: ramp does not scale replicas; the weight alone moves traffic',
    ])
    await pausedAt(w, 1)
    assert.deepEqual(tally(await w.sequence(10)), { v1: 7, v3: 3 }, 'the setWeight of 30 after the dropped scale step')
  })

  test('steps: left null imports as no steps', async (t) => {
    const r = await imported(t, 'argo-null-steps.yaml')
    assert.deepEqual(r.config.strategy, { canary: { steps: [] } })
    assert.deepEqual(r.notes, ['strategy.canary.canaryService ignored: ramp routes to backends directly, not through Services'])
    await validates(t, r)
  })

  test('header and mirror route steps are kept and route for real', async (t) => {
    const r = await imported(t, 'argo-routes.yaml')
    assert.deepEqual(r.config.strategy.canary.steps.map((s) => Object.keys(s as object)[0]), ['setHeaderRoute', 'setMirrorRoute', 'pause', 'setHeaderRoute', 'setMirrorRoute', 'setWeight'])
    assert.ok(!r.notes.some((n) => /setHeaderRoute|setMirrorRoute/.test(n)), r.notes.join('\n'))
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 2)
    assert.deepEqual(tally(await w.sequence(30)), { v1: 30 }, 'the mirror route copies traffic, it does not move it')
    assert.equal(await w.metricReaches('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }, 30), 30, 'each GET copied to v2')
    assert.deepEqual(tally(await w.sequence(30, beta)), { v2: 30 }, 'the header route wins over weight 0')
  })

  test('maxTrafficWeight scales setWeight (20 of 1000 is 2%), and every dropped Rollout field is named with its reason', async (t) => {
    const r = await imported(t, 'argo-max-traffic-weight.yaml')
    assert.deepEqual(r.config.strategy.canary.steps, [{ setWeight: 2 }, { pause: {} }, { setWeight: 50.5 }, { pause: { duration: '1h' } }])
    for (const field of ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'rollbackWindow', 'selector', 'template']) {
      assert.ok(r.notes.some((n) => n.startsWith(`spec.${field} dropped: `)), `spec.${field} not named:\n${r.notes.join('\n')}`)
    }
    assert.equal(r.config.progressDeadlineSeconds, 300)
    assert.equal(r.config.progressDeadlineAbort, false, 'Argo\'s default: past the deadline the rollout is Degraded, not aborted')
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 1)
    assert.equal((await w.rollout()).weight, 2)
    assert.deepEqual(tally(await w.sequence(100)), { v1: 98, v2: 2 })
    assert.equal((await w.admin.promote()).status, 200)
    await pausedAt(w, 3)
    assert.equal((await w.rollout()).weight, 50.5)
  })

  test('Prometheus and web AnalysisTemplates are converted with args resolved; a provider ramp lacks is named', async (t) => {
    const r = await imported(t, 'argo-templates-args.yaml')
    const templates = r.config.analysis?.templates ?? []
    const rate = templates.find((x) => x.name.startsWith('success-rate.args-'))
    assert.ok(rate !== undefined, JSON.stringify(templates))
    assert.deepEqual(rate.metrics, [{
      name: 'success-rate',
      prometheus: { address: 'http://127.0.0.1:9090', query: 'sum(rate(requests{service="shop",code!~"5.."}[1m])) / sum(rate(requests{service="shop"}[1m]))' },
      thresholdRange: { min: 0.95 },
    }], 'service-name from the step, floor from the template\'s default')
    assert.deepEqual([rate.interval, rate.count, rate.failureLimit], ['10s', 3, 1])
    assert.deepEqual(templates.find((x) => x.name === 'error-budget'), {
      name: 'error-budget', count: 1,
      metrics: [{ name: 'budget', web: { url: 'http://127.0.0.1:9300/budget', headers: { accept: 'application/json' }, jsonPath: '$.remaining', timeout: '3s' }, thresholdRange: { max: 5 } }],
    })
    assert.deepEqual(r.config.strategy.canary.steps, [{ setWeight: 20 }, { analysis: { templates: [rate.name] } }, { setWeight: 100 }])
    assert.deepEqual(r.config.strategy.canary.analysis, { templates: [{ templateName: 'error-budget' }] })
    for (const note of [
      'AnalysisTemplate datadog-errors metrics[0] (errors) dropped: its provider is not one ramp has',
      'strategy.canary.steps[2].analysis dropped: template datadog-errors is not an AnalysisTemplate of this file that ramp can run',
      'strategy.canary.analysis.templates[0].clusterScope ignored',
    ]) assert.ok(r.notes.some((n) => n.startsWith(note)), `missing "${note}":\n${r.notes.join('\n')}`)
    await validates(t, r)
  })

  test('a file with two Rollouts is refused without --name, and --name picks one', async (t) => {
    const refused = await cli(t, ['import', manifest('argo-two-rollouts.yaml')])
    assert.equal(refused.code, 2, said(refused))
    assert.equal(refused.stdout, '')
    assert.match(refused.stderr, /has 2 Rollouts \(web, api\); pick one with --name$/m)
    const api = await imported(t, 'argo-two-rollouts.yaml', ['--name', 'api'])
    assert.deepEqual(api.config.strategy.canary.steps, [{ setWeight: 30 }, { pause: {} }])
    const missing = await cli(t, ['import', manifest('argo-two-rollouts.yaml'), '--name', 'cart'])
    assert.equal(missing.code, 2, said(missing))
    assert.match(missing.stderr, /has no Rollout named cart \(it has web, api\)$/m)
  })
})

describe('ramp import of Flagger canaries', { concurrency: true }, () => {
  test('stepWeight to maxWeight, builtin and Prometheus metrics, every webhook type ramp has; the rest named', async (t) => {
    const r = await imported(t, 'flagger-canary.yaml')
    assert.deepEqual(r.config.strategy.canary.steps, [10, 20, 30, 40, 50].flatMap((w) => [{ setWeight: w }, { pause: { duration: '30s' } }]))
    assert.deepEqual(r.config.strategy.canary.analysis, { templates: ['flagger-request-success-rate', 'flagger-request-duration', 'flagger-404s-percentage'] })
    const [success, duration, notFound] = r.config.analysis?.templates ?? []
    assert.deepEqual(success, { name: 'flagger-request-success-rate', interval: '30s', failureLimit: 4, window: '1m', metrics: [{ name: 'request-success-rate', builtin: 'successRate', thresholdRange: { min: 0.99 } }] })
    assert.deepEqual(duration?.metrics, [{ name: 'request-duration', builtin: 'latencyP99', thresholdRange: { max: 500 } }])
    assert.deepEqual(notFound?.metrics, [{
      name: '404s percentage',
      prometheus: { address: 'http://127.0.0.1:9090', query: '100 - sum(rate(requests{namespace="test",workload="podinfo",code!="404"}[1m])) / sum(rate(requests{namespace="test",workload="podinfo"}[1m])) * 100' },
      thresholdRange: { max: 5 },
    }], 'the MetricTemplate\'s variables filled from the Canary')
    assert.deepEqual(r.config.webhooks?.map((h) => [h.name, h.type]), [
      ['ok-to-go', 'confirm-rollout'], ['smoke', 'pre-rollout'], ['load-test', 'rollout'], ['ship-it', 'confirm-promotion'],
      ['done', 'post-rollout'], ['big-red-button', 'rollback'], ['chat', 'event'],
    ])
    assert.equal(r.config.webhooks?.[1]?.failureLimit, 4, 'a failed pre-rollout check counts toward the threshold')
    for (const note of [
      'spec.targetRef dropped', 'spec.service dropped', 'spec.analysis.alerts dropped',
      'spec.analysis.metrics[3] (dd) dropped: MetricTemplate dd-errors uses provider datadog',
      'spec.analysis.webhooks[1] (smoke).metadata dropped',
      'spec.analysis.webhooks[3] (more-traffic) dropped: ramp has no confirm-traffic-increase webhooks',
    ]) assert.ok(r.notes.some((n) => n.startsWith(note)), `missing "${note}":\n${r.notes.join('\n')}`)
    assert.equal(r.config.progressDeadlineAbort, true, 'Flagger rolls back a canary that is not ready in time')
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 1)
    assert.deepEqual(tally(await w.sequence(100)), { v1: 90, v2: 10 })
  })

  test('an A/B test (iterations with match) routes each match to the new version for iterations x interval', async (t) => {
    const r = await imported(t, 'flagger-ab.yaml')
    assert.deepEqual(r.config.strategy.canary.steps, [
      { setHeaderRoute: { name: 'ab-0', match: [{ headers: { 'x-canary': { regex: '^(?:.*insider.*)$' } } }] } },
      { setHeaderRoute: { name: 'ab-1', match: [{ headers: { cookie: { regex: '^(?:.*(^|; )canary=always(;.*|))$' } } }] } },
      { pause: { duration: '600s' } },
    ], 'one route per match: Istio\'s matches are any-of, a route\'s conditions all-of')
    assert.deepEqual(r.config.analysis?.templates.map((x) => [x.name, x.failureLimit]), [['flagger-request-success-rate', 1]])
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 2)
    assert.deepEqual(tally(await w.sequence(20, { 'x-canary': 'an-insider-1' })), { v2: 20 })
    assert.deepEqual(tally(await w.sequence(20, { cookie: 'a=b; canary=always' })), { v2: 20 })
    assert.deepEqual(tally(await w.sequence(20, { 'x-canary': 'outsider' })), { v1: 20 })
    assert.deepEqual(tally(await w.sequence(20, { cookie: 'xcanary=always' })), { v1: 20 }, 'the regex holds for the whole value, as in Istio')
  })

  test('iterations with mirror copies traffic to the new version for iterations x interval, judged on the mirror listener', async (t) => {
    const r = await imported(t, 'flagger-mirror.yaml')
    assert.deepEqual(r.config.strategy.canary.steps, [{ setMirrorRoute: { name: 'mirror', percentage: 50 } }, { pause: { duration: '60s' } }])
    assert.deepEqual(r.config.analysis?.templates.map((x) => [x.name, x.listener, x.failureLimit]), [['flagger-request-duration', 'mirror', 2]])
    await validates(t, r)

    const w = await run(t, r)
    await pausedAt(w, 1)
    assert.deepEqual(tally(await w.sequence(400)), { v1: 400 }, 'every answer from v1')
    // A draw per request at 50%: fewer than 150 copies of 400 has a chance below 1e-6.
    assert.ok(await w.metricReaches('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }, 150) >= 150, 'copies reach v2')
  })

  test('iterations alone is Flagger\'s blue/green: preview for iterations x interval, the metrics as pre-promotion analysis', async (t) => {
    const r = await imported(t, 'flagger-bluegreen.yaml')
    assert.deepEqual(r.config.strategy, { blueGreen: { autoPromotionSeconds: 60, prePromotionAnalysis: { templates: ['flagger-request-success-rate'] } } })
    assert.deepEqual(r.config.analysis?.templates[0], { name: 'flagger-request-success-rate', interval: '15s', count: 4, failureLimit: 1, window: '15s', metrics: [{ name: 'request-success-rate', builtin: 'successRate', thresholdRange: { min: 0.995 } }] })
    await validates(t, r)
  })
})
