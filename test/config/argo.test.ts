import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../src/config/load.js'
import { problems } from './problems.js'

// An Argo strategy pasted into a config reads as Argo reads it (the same code `ramp import` runs).

const base = 'listen: { port: 8080 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n'


const hdr = '{ name: beta, match: [ { headerName: x-beta, headerValue: { exact: "1" } } ] }'

test('argo: a step with several actions runs as one step each, in Argo\'s order, whatever the order of its keys', () => {
  for (const step of [`{ setHeaderRoute: ${hdr}, pause: {} }`, `{ pause: {}, setHeaderRoute: ${hdr} }`]) {
    const c = parseConfig(`${base}strategy: { canary: { steps: [ { setWeight: 10 }, ${step} ] } }\n`, null, {})
    assert.deepEqual(c.strategy?.canary?.steps.map((s) => Object.keys(s)), [['setWeight'], ['setHeaderRoute'], ['pause']])
    assert.match(c.warnings.join('\n'), /^strategy\.canary\.steps\[1\] \(.+\) runs as 2 steps, in the order Argo carries them out: setHeaderRoute, then pause$/m)
  }
  const c = parseConfig(`${base}strategy: { canary: { steps: [ { pause: { duration: 5s }, setMirrorRoute: { name: m, percentage: 10 }, setWeight: 30 } ] } }\n`, null, {})
  assert.deepEqual(c.strategy?.canary?.steps, [{ setWeight: 30 }, { setMirrorRoute: { name: 'm', percentage: 10 } }, { pause: { duration: '5s' } }])
})

test('argo: steps left null means no steps', () => {
  const c = parseConfig(`${base}strategy:\n  canary:\n    steps:\n`, null, {})
  assert.deepEqual(c.strategy?.canary?.steps, [])
  assert.deepEqual(c.warnings, [])
})

test('argo: maxTrafficWeight scales each setWeight to a percentage, and is named', () => {
  const c = parseConfig(`${base}strategy: { canary: { trafficRouting: { maxTrafficWeight: 1000 }, steps: [ { setWeight: 20 }, { setWeight: 333 }, { setWeight: 1000 } ] } }\n`, null, {})
  assert.deepEqual(c.strategy?.canary?.steps, [{ setWeight: 2 }, { setWeight: 33.3 }, { setWeight: 100 }])
  assert.ok(c.warnings.some((w) => w.startsWith('strategy.canary.trafficRouting.maxTrafficWeight 1000: each setWeight is read as parts of 1000')), c.warnings.join('\n'))
})

test('argo: an experiment step is dropped with its reason, like import drops it', () => {
  const c = parseConfig(`${base}strategy: { canary: { steps: [ { setWeight: 20 }, { experiment: { templates: [ { name: x, specRef: canary } ] } }, { pause: {} } ] } }\n`, null, {})
  assert.deepEqual(c.strategy?.canary?.steps, [{ setWeight: 20 }, { pause: {} }])
  assert.deepEqual(c.warnings, ['strategy.canary.steps[1].experiment ignored: ramp runs one new version at a time, not experiment ReplicaSets; use an analysis step against the canary instead'])
})

const templated = `${base}analysis:
  templates:
    - name: rate
      interval: 1s
      count: 2
      metrics:
        - name: ok
          prometheus: { address: "http://127.0.0.1:9090", query: 'sum(rate(x{svc="{{args.service}}"}[1m]))' }
          thresholdRange: { min: "{{ args.min }}" }
`

test('argo: analysis args fill the template\'s placeholders in a derived template the reference names', () => {
  const c = parseConfig(`${templated}strategy: { canary: { steps: [
    { analysis: { templates: [ { templateName: rate, clusterScope: true } ], args: [ { name: service, value: shop }, { name: min, value: "0.9" } ] } },
    { analysis: { templates: [ rate ], args: [ { name: min, value: "0.9" }, { name: service, value: shop } ] } },
    { analysis: { templates: [ rate ], args: [ { name: service, value: cart }, { name: min, value: "0.5" } ] } } ] } }\n`, null, {})
  const refs = c.strategy?.canary?.steps.map((s) => s.analysis?.templates[0])
  assert.equal(refs?.[0], refs?.[1], 'the same values give the same derived template')
  assert.notEqual(refs?.[0], refs?.[2])
  assert.deepEqual(c.analysis.templates.map((t) => t.name), [refs?.[0], refs?.[2]], 'the template with placeholders is replaced by its derived copies')
  const shop = c.analysis.templates[0]
  assert.match(String(shop?.name), /^rate\.args-[0-9a-f]{8}$/)
  assert.equal(shop?.metrics[0]?.prometheus?.query, 'sum(rate(x{svc="shop"}[1m]))')
  assert.equal(shop?.metrics[0]?.thresholdRange.min, 0.9, 'a bound that is one placeholder becomes a number')
  assert.deepEqual(c.warnings, ['strategy.canary.steps[0].analysis.templates[0].clusterScope ignored: ramp has one set of templates (analysis.templates), not namespaced and cluster ones'])
})

test('argo: a placeholder no arg fills, and a valueFrom arg, are refused by name', () => {
  assert.deepEqual(problems(`${templated}strategy: { canary: { steps: [ { analysis: { templates: [ rate ], args: [ { name: service, value: shop } ] } } ] } }\n`), [
    'strategy.canary.steps[0].analysis.templates[0]: template rate uses {{args.min}}; give it in strategy.canary.steps[0].analysis.args ([{ name: min, value: ... }])',
  ])
  assert.deepEqual(problems(`${templated}strategy: { canary: { steps: [ { analysis: { templates: [ rate ], args: [ { name: min, value: "1" }, { name: service, valueFrom: { podTemplateHashValue: Latest } } ] } } ] } }\n`), [
    'strategy.canary.steps[0].analysis.args[1].valueFrom: ramp cannot read Kubernetes fields or pod hashes; give the value itself (value: ...)',
    'strategy.canary.steps[0].analysis.templates[0]: template rate uses {{args.service}}; give it in strategy.canary.steps[0].analysis.args ([{ name: service, value: ... }])',
  ])
})

test('argo: args work in background and blue/green promotion analysis too', () => {
  const c = parseConfig(`${templated}strategy: { blueGreen: { prePromotionAnalysis: { templates: [ { templateName: rate } ], args: [ { name: service, value: shop }, { name: min, value: "2" } ] } } }\n`, null, {})
  assert.match(c.strategy?.blueGreen?.prePromotionAnalysis?.templates[0] as string, /^rate\.args-/)
  const b = parseConfig(`${templated}strategy: { canary: { analysis: { templates: [ rate ], args: [ { name: service, value: shop }, { name: min, value: "2" } ] }, steps: [ { setWeight: 10 } ] } }\n`, null, {})
  assert.equal(b.analysis.templates[0]?.metrics[0]?.thresholdRange.min, 2)
})
