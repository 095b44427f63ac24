import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Ajv } from 'ajv'
import { parse } from 'yaml'
import { addRampFormats } from '../../src/config/formats.js'
import { parseConfig } from '../../src/config/load.js'
import { schemaDocument } from '../../src/config/schema.js'
import { problems } from './problems.js'

const base = 'listen: { port: 8080 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n'


const rows = [
  { name: 'a minimal config is valid', yaml: base, want: [] },
  { name: 'a backend with a path is refused', yaml: `${base}canary: { name: v2, backends: ["http://127.0.0.1:9002/api"] }\n`, want: ['canary.backends[0]: "http://127.0.0.1:9002/api" has a path or query; give the origin only (scheme://host:port)'] },
  { name: 'a backend listed twice is refused', yaml: 'listen: { port: 8080 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001", "http://127.0.0.1:9001/"] }\n', want: ['stable.backends[1]: "http://127.0.0.1:9001/" is listed twice'] },
  { name: 'three decimals are refused', yaml: `${base}weight: 20.555\n`, want: ['weight: 20.555 has more than two decimals'] },
  { name: 'two decimals are fine', yaml: `${base}weight: 33.33\n`, want: [] },
  { name: 'a bad mode names the choices', yaml: `${base}mode: linear\n`, want: ['mode: "linear" is not one of "canary", "blueGreen"'] },
  { name: 'blueGreen with a split weight is refused', yaml: `${base}canary: { name: v2, backends: ["http://127.0.0.1:9002"] }\nmode: blueGreen\nweight: 30\n`, want: ['weight: 30 is a split; in blueGreen mode the weight is 0 (stable active) or 100 (canary active)'] },
  { name: 'two listeners on one port are refused', yaml: `${base}preview: { port: 8080 }\n`, want: ['preview.port: 8080 is also the listen port; each listener needs its own'] },
  { name: 'an empty step is refused', yaml: `${base}strategy: { canary: { steps: [ {} ] } }\n`, want: ['strategy.canary.steps[0]: is empty; give one of setWeight, pause, analysis, setHeaderRoute, setMirrorRoute'] },
  { name: 'a malformed pause duration is refused', yaml: `${base}strategy: { canary: { steps: [ { pause: { duration: 10x } } ] } }\n`, want: ['strategy.canary.steps[0].pause.duration: "10x" is not a duration: 500ms, 30s, 5m, 1h, 7d, or a number of seconds'] },
  { name: 'both strategies at once are refused', yaml: `${base}strategy: { canary: { steps: [] }, blueGreen: {} }\n`, want: ['strategy: give exactly one of canary, blueGreen'] },
  { name: 'a YAML syntax error is reported once with its position', yaml: 'listen: [\n', want: ['YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:'] },
  { name: 'a duplicate key is refused', yaml: `${base}weight: 1\nweight: 2\n`, want: ['YAML: Map keys must be unique at line 4, column 1:'] },
  { name: 'workers out of range names both choices', yaml: `${base}workers: 0\n`, want: ['workers: 0 is not an integer from 1 to 1024 or "auto"'] },
  { name: 'workers: auto and a count are fine', yaml: `${base}workers: 4\n`, want: [] },
  { name: 'an unset environment variable without default is named', yaml: 'listen: { port: 8080 }\nstable: { name: v1, backends: ["http://${V1_HOST}:9001"] }\n', want: ['stable.backends[0]: ${V1_HOST} is not set (set V1_HOST, or give a default: ${V1_HOST:-value})'] },
] as const

for (const row of rows) {
  test(`config: ${row.name}`, () => {
    assert.deepEqual(problems(row.yaml), row.want)
  })
}

test('config: ${VAR} and ${VAR:-default} expand, and a whole reference keeps its YAML type', () => {
  const c = parseConfig('listen:\n  port: ${PORT:-8080}\nstable: { name: v1, backends: ["http://${HOST}:9001"] }\nweight: ${W:-0}\n', null, { HOST: '127.0.0.9', W: '12.5' })
  assert.equal(c.listen.port, 8080)
  assert.equal(c.stable.backends[0], 'http://127.0.0.9:9001')
  assert.equal(c.weight, 12.5)
  assert.equal(c.weightBp, 1250)
})

test('config: Kubernetes-only Argo fields are dropped and named as warnings', () => {
  const c = parseConfig(`${base}strategy:\n  canary:\n    canaryService: svc\n    trafficRouting: { nginx: {} }\n    steps:\n      - setWeight: 20\n      - setCanaryScale: { replicas: 3 }\n      - pause: {}\n`, null, {})
  assert.deepEqual(c.warnings, [
    'strategy.canary.canaryService ignored: ramp routes to backends directly, not through Services',
    'strategy.canary.trafficRouting ignored: ramp is the traffic router',
    'strategy.canary.steps[1].setCanaryScale ignored: ramp does not scale replicas; the weight alone moves traffic',
  ])
  assert.deepEqual(c.strategy?.canary?.steps, [{ setWeight: 20 }, { pause: {} }])
})

const published = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('../../config/schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

test('config/schema.json is the schema the loader uses (run `npm run schema` after changing it)', () => {
  assert.deepEqual(published(), schemaDocument())
})

// What an editor checks: the file as written, before the loader reads Argo's forms in it.
test('config/schema.json accepts the example configs and a config using analysis args, as ramp does', () => {
  const check = addRampFormats(new Ajv({ allErrors: true, strict: false })).compile(published())
  const withArgs = `${base}analysis:
  templates:
    - name: rate
      metrics:
        - { name: ok, prometheus: { address: "http://127.0.0.1:9090", query: 'up{svc="{{args.service}}"}' }, thresholdRange: { min: 1 } }
strategy:
  canary:
    analysis: { templates: [ rate ], args: [ { name: service, value: shop } ] }
    steps:
      - analysis: { templates: [ { templateName: rate } ], args: [ { name: service, value: cart } ] }
`
  const examples = ['canary.yaml', 'bluegreen.yaml', 'demo.yaml'].map((f) => readFileSync(new URL(`../../config/${f}`, import.meta.url), 'utf8'))
  for (const text of [withArgs, ...examples]) {
    parseConfig(text, null, {})
    assert.ok(check(parse(text)), JSON.stringify(check.errors))
  }
  assert.equal(check(parse(withArgs.replace('value: shop', 'valueFrom: shop'))), false, 'an arg with no value is refused, as ramp refuses it')
})

const analysisBase = `${base}analysis:
  templates:
    - name: health
      interval: 1s
      metrics:
        - { name: ok, builtin: successRate, thresholdRange: { min: 0.99 } }
`

const analysisRows = [
  { name: 'a step naming an unknown template', yaml: `${analysisBase}strategy: { canary: { steps: [ { analysis: { templates: [nope] } } ] } }\n`, want: ['strategy.canary.steps[0].analysis.templates[0]: "nope" is not a template in analysis.templates (known: health)'] },
  { name: 'Argo\'s templateName form resolves', yaml: `${analysisBase}strategy: { canary: { steps: [ { analysis: { templates: [ { templateName: health } ] } } ] } }\n`, want: [] },
  { name: 'a metric with no provider', yaml: `${base}analysis: { templates: [ { name: t, metrics: [ { name: m, thresholdRange: { min: 1 } } ] } ] }\n`, want: ['analysis.templates[0].metrics[0]: has no provider; give one of builtin, prometheus, web'] },
  { name: 'a metric with two providers', yaml: `${base}analysis: { templates: [ { name: t, metrics: [ { name: m, builtin: errorRate, web: { url: "http://127.0.0.1:1/" }, thresholdRange: { max: 1 } } ] } ] }\n`, want: ['analysis.templates[0].metrics[0]: has builtin and web; give one provider per metric'] },
  { name: 'a range with min above max', yaml: `${base}analysis: { templates: [ { name: t, metrics: [ { name: m, builtin: latencyP99, thresholdRange: { min: 2s, max: 500ms } } ] } ] }\n`, want: ['analysis.templates[0].metrics[0].thresholdRange: min 2s is above max 500ms; no value could pass'] },
  { name: 'a malformed interval', yaml: `${base}analysis: { templates: [ { name: t, interval: 10 seconds, metrics: [ { name: m, builtin: errorRate, thresholdRange: { max: 1 } } ] } ] }\n`, want: ['analysis.templates[0].interval: "10 seconds" is not a duration: 500ms, 30s, 5m, 1h, 7d, or a number of seconds'] },
  { name: 'a Prometheus address that is not a URL', yaml: `${base}analysis: { templates: [ { name: t, metrics: [ { name: m, prometheus: { address: "prom:9090", query: up }, thresholdRange: { min: 1 } } ] } ] }\n`, want: ['analysis.templates[0].metrics[0].prometheus.address: "prom:9090" is not an http(s) URL'] },
  { name: 'an unknown builtin names the choices', yaml: `${base}analysis: { templates: [ { name: t, metrics: [ { name: m, builtin: p95, thresholdRange: { max: 1 } } ] } ] }\n`, want: ['analysis.templates[0].metrics[0].builtin: "p95" is not one of "successRate", "errorRate", "errorRateDelta", "latencyP50", "latencyP90", "latencyP99", "latencyP99Ratio", "requestRate"'] },
  { name: 'an unknown webhook type names the choices', yaml: `${base}webhooks: [ { name: w, type: pre-promotion, url: "http://127.0.0.1:1/" } ]\n`, want: ['webhooks[0].type: "pre-promotion" is not one of "confirm-rollout", "pre-rollout", "rollout", "confirm-promotion", "post-rollout", "rollback", "event"'] },
] as const

for (const row of analysisRows) {
  test(`config: analysis: ${row.name}`, () => {
    assert.deepEqual(problems(row.yaml), row.want)
  })
}

const shapingRows = [
  { name: 'an invalid route regex is named with its path', yaml: `${base}routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { regex: "(" } } ] } ]\n`, want: ['routes[0].match[0].headerValue.regex: "(" is not a valid regular expression: Unterminated group'] },
  { name: 'a header value with two match kinds', yaml: `${base}routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { exact: qa, prefix: q } } ] } ]\n`, want: ['routes[0].match[0].headerValue: has exact and prefix; give one of exact, prefix, regex'] },
  { name: 'a header name without a value', yaml: `${base}routes: [ { name: qa, match: [ { headerName: x-team } ] } ]\n`, want: ['routes[0].match[0]: headerName and headerValue go together'] },
  { name: 'a route to an unknown version', yaml: `${base}routes: [ { name: qa, version: v9, match: [ { pathPrefix: /beta } ] } ]\n`, want: ['routes[0].version: "v9" is not canary, stable, or a configured version (v1); routes to versions deployed later name canary'] },
  { name: 'two sticky keys', yaml: `${base}stickiness: { cookie: b, header: x-user }\n`, want: ['stickiness: has cookie and header; give one sticky key'] },
  { name: 'an Argo setMirrorRoute step is accepted as it is', yaml: `${base}strategy: { canary: { steps: [ { setMirrorRoute: { name: m, percentage: 35, match: [ { method: { exact: GET }, path: { prefix: / } } ] } } ] } }\n`, want: [] },
  { name: 'a bad balance names the choices', yaml: `${base}balance: roundRobin\n`, want: ['balance: "roundRobin" is not one of "random", "exact"'] },
] as const

for (const row of shapingRows) {
  test(`config: shaping: ${row.name}`, () => {
    assert.deepEqual(problems(row.yaml), row.want)
  })
}

test('config: a route regex that could backtrack exponentially is refused at load', () => {
  assert.deepEqual(problems(`${base}routes: [ { name: qa, match: [ { headerName: x-team, headerValue: { regex: "^(a+)+$" } } ] } ]\n`), [
    'routes[0].match[0].headerValue.regex: "^(a+)+$" could backtrack exponentially (a repeated group inside a repetition, like (a+)+); write it without nested quantifiers',
  ])
})
