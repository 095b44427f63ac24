import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { queryPrometheus, type PrometheusSpec } from '../../src/analysis/providers/prometheus.js'
import { queryWeb, type WebSpec } from '../../src/analysis/providers/web.js'
import { callWebhook, type WebhookPayload } from '../../src/analysis/providers/webhook.js'
import { refusingUrl } from '../support/world/ports.js'
import { json, recorder, type Recorder } from '../support/world/recorder.js'

const T = 1767269000.123

/** Answers like Prometheus' /api/v1/query, by the query asked. */
const prometheusAnswers: Record<string, (res: Parameters<typeof json>[0]) => void> = {
  vector: (res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { version: 'v2' }, value: [T, '0.987'] }] } }),
  scalar: (res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [T, '42'] } }),
  empty: (res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } }),
  several: (res) => json(res, 200, {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { version: 'v1' }, value: [T, '1'] }, { metric: { version: 'v2' }, value: [T, '2'] }] },
  }),
  nan: (res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [T, 'NaN'] } }),
  word: (res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [T, 'lots'] } }),
  matrix: (res) => json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
  bad: (res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }),
  500: (res) => res.writeHead(500).end('<html>internal error</html>'),
  garbage: (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not prometheus</html>'),
  slow: (res) => setTimeout(() => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [T, '1'] } }), 2_000).unref(),
  trickle: (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"status":') },
}

describe('prometheus', () => {
  let prom: Recorder
  before(async () => {
    prom = await recorder(null, (req, res) => req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname !== '/api/v1/query') return json(res, 404, { status: 'error', error: `no ${url.pathname}` })
      const answer = prometheusAnswers[url.searchParams.get('query') ?? '']
      if (answer === undefined) return json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [T, String(url.searchParams.get('query')?.length)] } })
      answer(res)
    }))
  })
  after(() => prom.close())

  const spec = (query: string, over: Partial<PrometheusSpec> = {}): PrometheusSpec => ({ type: 'prometheus', address: prom.url, query, timeoutMs: 300, ...over })

  const rows: Array<[string, string, unknown]> = [
    ['a one-sample vector is its value', 'vector', { ok: true, value: 0.987, sampleSize: null }],
    ['a scalar is its value', 'scalar', { ok: true, value: 42, sampleSize: null }],
    ['an empty vector is Inconclusive', 'empty', { ok: false, phase: 'Inconclusive', message: 'prometheus: no values found for empty' }],
    ['NaN is Inconclusive', 'nan', { ok: false, phase: 'Inconclusive', message: 'prometheus: the query gave NaN' }],
    ['several samples are an Error naming them', 'several',
      { ok: false, phase: 'Error', message: 'prometheus: the query gave 2 samples ({version="v1"}, {version="v2"}); aggregate it to one, e.g. with sum()' }],
    ['a value that is not a number is an Error', 'word', { ok: false, phase: 'Error', message: 'prometheus: a sample value is not a number: "lots"' }],
    ['a matrix is an Error', 'matrix', { ok: false, phase: 'Error', message: 'prometheus: the query gave a matrix result; it must give a scalar or a one-sample vector' }],
    ["a refused query carries Prometheus' error", 'bad', { ok: false, phase: 'Error', message: 'prometheus: HTTP 400: bad_data: parse error at char 4' }],
    ['a 500 is an Error with the body', '500', { ok: false, phase: 'Error', message: 'prometheus: HTTP 500: "<html>internal error</html>"' }],
    ['a body that is not JSON is an Error', 'garbage', { ok: false, phase: 'Error', message: 'prometheus: the answer is not a JSON object: "<html>not prometheus</html>"' }],
    ['no headers within the timeout is an Error', 'slow', { ok: false, phase: 'Error', message: 'prometheus: no answer within 300ms' }],
    ['a body stalled past the timeout is an Error', 'trickle', { ok: false, phase: 'Error', message: 'prometheus: no answer within 300ms' }],
  ]
  for (const [name, query, result] of rows) test(name, async () => assert.deepEqual(await queryPrometheus(spec(query)), result))

  test('the query is URL-encoded, and a trailing slash on the address is fine', async () => {
    const query = 'sum(rate(ramp_requests_total{version="v2",code="5xx"}[1m])) / sum(rate(ramp_requests_total{version="v2"}[1m]))'
    assert.deepEqual(await queryPrometheus(spec(query, { address: `${prom.url}/` })), { ok: true, value: query.length, sampleSize: null })
    assert.equal(new URL(prom.seen.at(-1)?.url ?? '', 'http://x').searchParams.get('query'), query)
  })

  test('a wrong path prefix is an Error', async () => {
    assert.deepEqual(await queryPrometheus(spec('vector', { address: `${prom.url}/prometheus` })),
      { ok: false, phase: 'Error', message: 'prometheus: HTTP 404: no /prometheus/api/v1/query' })
  })

  test('a closed port is an Error with the reason', async () => {
    const r = await queryPrometheus(spec('vector', { address: await refusingUrl() }))
    assert.ok(!r.ok && r.phase === 'Error' && /^prometheus: connect ECONNREFUSED 127\.0\.0\.1:\d+$/.test(r.message), JSON.stringify(r))
  })
})

describe('web', () => {
  let web: Recorder
  const bodies: Record<string, string> = {
    '/number': '0.99\n',
    '/quoted': '"0.97"',
    '/nested': JSON.stringify({ data: { result: [{ value: '0.97', count: 12, up: true, name: 'x' }] } }),
    '/text': 'ok',
  }
  before(async () => {
    web = await recorder(null, (req, res, seen) => req.on('end', () => {
      if (req.url === '/echo') return json(res, 200, { method: req.method, auth: req.headers.authorization, length: seen.body.length })
      if (req.url === '/down') return res.writeHead(503).end('maintenance')
      if (req.url === '/slow') return void setTimeout(() => res.end('1'), 2_000).unref()
      res.writeHead(200).end(bodies[req.url ?? ''] ?? 'null')
    }))
  })
  after(() => web.close())

  const spec = (path: string, jsonPath: string | null, over: Partial<WebSpec> = {}): WebSpec =>
    ({ type: 'web', url: `${web.url}${path}`, method: 'GET', jsonPath, timeoutMs: 300, headers: {}, body: null, ...over })

  const rows: Array<[string, string, string | null, unknown]> = [
    ['no jsonPath: the body is the number', '/number', null, { ok: true, value: 0.99, sampleSize: null }],
    ['no jsonPath: a quoted number is accepted', '/quoted', null, { ok: true, value: 0.97, sampleSize: null }],
    ['a numeric string at the path', '/nested', '$.data.result[0].value', { ok: true, value: 0.97, sampleSize: null }],
    ['a number at the path', '/nested', "$.data.result[0]['count']", { ok: true, value: 12, sampleSize: null }],
    ['a boolean is not a number', '/nested', '$.data.result[0].up', { ok: false, phase: 'Error', message: 'web: $.data.result[0].up is true, not a number' }],
    ['a word is not a number', '/nested', '$.data.result[0].name', { ok: false, phase: 'Error', message: 'web: $.data.result[0].name is the string "x", not a number' }],
    ['an object is not a number', '/nested', '$.data', { ok: false, phase: 'Error', message: 'web: $.data is an object with keys result, not a number' }],
    ['a missing key names where the path stopped', '/nested', '$.data.results[0]', { ok: false, phase: 'Error', message: 'web: $.data has no key "results"' }],
    ['no jsonPath and an object body', '/nested', null, { ok: false, phase: 'Error', message: 'web: the body is an object with keys data, not a number' }],
    ['a body that is not JSON', '/text', '$.a', { ok: false, phase: 'Error', message: 'web: the body is not JSON: "ok"' }],
    ['a non-2xx status', '/down', null, { ok: false, phase: 'Error', message: 'web: HTTP 503: "maintenance"' }],
    ['a timeout', '/slow', null, { ok: false, phase: 'Error', message: 'web: no answer within 300ms' }],
  ]
  for (const [name, path, jsonPath, result] of rows) test(name, async () => assert.deepEqual(await queryWeb(spec(path, jsonPath)), result))

  test('method, headers and body are sent', async () => {
    const r = await queryWeb(spec('/echo', '$.length', { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"q":1}' }))
    assert.deepEqual(r, { ok: true, value: 7, sampleSize: null })
    assert.deepEqual([web.seen.at(-1)?.method, web.seen.at(-1)?.headers.authorization, web.seen.at(-1)?.body.toString()], ['POST', 'Bearer t', '{"q":1}'])
  })

  test('a closed port', async () => {
    const r = await queryWeb({ ...spec('/number', null), url: `${await refusingUrl()}/number` })
    assert.ok(!r.ok && r.phase === 'Error' && r.message.startsWith('web: connect ECONNREFUSED'), JSON.stringify(r))
  })
})

describe('webhook', () => {
  let hook: Recorder
  before(async () => {
    hook = await recorder(null, (req, res) => req.on('end', () => {
      if (req.url === '/yes') return res.writeHead(204).end()
      if (req.url === '/no') return res.writeHead(409).end('not now\n')
      if (req.url === '/empty') return res.writeHead(500).end()
      setTimeout(() => res.end(), 2_000).unref()
    }))
  })
  after(() => hook.close())

  const payload: WebhookPayload = { rollout: 'shop', phase: 'Paused', step: 2, weight: 20, version: 'v2' }
  const target = (path: string, headers: Record<string, string> = {}): { url: string; timeoutMs: number; headers: Record<string, string> } =>
    ({ url: `${hook.url}${path}`, timeoutMs: 300, headers })

  test('a 2xx is 1; the payload is POSTed as JSON with the headers given', async () => {
    assert.deepEqual(await callWebhook(target('/yes', { 'x-token': 't' }), payload), { ok: true, value: 1, sampleSize: null, detail: 'HTTP 204' })
    const seen = hook.seen.at(-1)
    assert.deepEqual([seen?.method, seen?.headers['content-type'], seen?.headers['x-token'], JSON.parse(seen?.body.toString() ?? '')], ['POST', 'application/json', 't', payload])
  })

  test('a content-type given in the headers is kept', async () => {
    await callWebhook(target('/yes', { 'Content-Type': 'application/vnd.ramp+json' }), payload)
    assert.equal(hook.seen.at(-1)?.headers['content-type'], 'application/vnd.ramp+json')
  })

  test('any other status is 0, with what it said', async () => {
    assert.deepEqual(await callWebhook(target('/no'), payload), { ok: true, value: 0, sampleSize: null, detail: 'HTTP 409: "not now"' })
    assert.deepEqual(await callWebhook(target('/empty'), payload), { ok: true, value: 0, sampleSize: null, detail: 'HTTP 500' })
  })

  test('a timeout is an Error', async () => {
    assert.deepEqual(await callWebhook(target('/wait'), payload), { ok: false, phase: 'Error', message: 'webhook: no answer within 300ms' })
  })

  test('a closed port is an Error', async () => {
    const r = await callWebhook({ ...target('/yes'), url: `${await refusingUrl()}/yes` }, payload)
    assert.ok(!r.ok && r.phase === 'Error' && r.message.startsWith('webhook: connect ECONNREFUSED'), JSON.stringify(r))
  })
})
