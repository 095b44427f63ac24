import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { parse } from 'yaml'
import * as adminSchemas from '../../src/admin/schemas.js'
import * as admin from '../../src/admin/validator.js'
import * as config from '../../src/config/validator.js'
import { initialState } from '../../src/rollout/initial.js'
import * as state from '../../src/state/validator.js'

/**
 * `npm run build` replaces these modules in dist/ by precompiled validators
 * (scripts/build-validators.ts). Each must judge as its source does, errors and filled-in
 * defaults included; a dist/ built from older schemas fails here.
 */
interface Built { names: readonly string[]; validators(): Record<string, ValidateFunction> }
const built = async (module: string): Promise<Built> => await import(new URL(`../../dist/${module}.js`, import.meta.url).href) as Built

/** As JSON: the sources' schemas carry TypeBox's symbol keys, which the precompiled ones were written without. */
const errorsOf = (v: ValidateFunction): unknown => JSON.parse(JSON.stringify((v.errors ?? []).map((e: ErrorObject) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params, message: e.message, parentSchema: e.parentSchema })))) as unknown

function agree(name: string, source: ValidateFunction, precompiled: ValidateFunction, sample: unknown): void {
  const [a, b] = [structuredClone(sample), structuredClone(sample)]
  const ok = source(a)
  assert.equal(precompiled(b), ok, `${name}: the same verdict on ${JSON.stringify(sample).slice(0, 200)}`)
  assert.deepEqual(errorsOf(precompiled), errorsOf(source), `${name}: the same errors`)
  assert.deepEqual(b, a, `${name}: the same defaults filled in`)
}

test('the precompiled config validator judges as the schema compiled from the sources', async () => {
  const dist = await built('config/validator')
  assert.deepEqual(dist.names, config.names)
  const stable = { name: 'v1', backends: ['http://127.0.0.1:9001'] }
  const samples: unknown[] = readdirSync(new URL('../../config/', import.meta.url)).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(new URL(`../../config/${f}`, import.meta.url), 'utf8')) as unknown)
  samples.push(
    { listen: { port: 8080 }, stable },
    { listen: { port: 8080 }, stable, weight: 20.555, mode: 'linear', extra: 1 },
    { listen: { port: 8080 }, stable: { name: '', backends: ['ftp://x', 'http://127.0.0.1:1/path'] }, canary: { name: 'v2' } },
    { listen: { port: 'x' }, stable, strategy: { canary: { steps: [{ setWeight: 10, pause: {} }, { pause: { duration: '10x' } }, { analysis: { templates: [] } }] } } },
    { listen: { port: 8080 }, stable, analysis: { templates: [{ name: 't', metrics: [{ name: 'm', provider: { web: { url: 'notaurl' } } }] }] } },
    'not an object',
  )
  const source = config.validators().config
  const precompiled = dist.validators().config!
  for (const s of samples) agree('config', source, precompiled, s)
})

test('the precompiled state validators judge as the schemas compiled from the sources', async () => {
  const dist = await built('state/validator')
  assert.deepEqual(dist.names, state.names)
  const { state: good } = initialState({ stable: { name: 'v1', backends: ['http://127.0.0.1:9001'] }, canary: null, strategy: null, mode: 'canary', weightBp: 0, options: { progressDeadlineSeconds: 600, progressDeadlineAbort: false }, now: 0 })
  const source = state.validators()
  const precompiled = dist.validators()
  for (const s of [good, { ...good, phase: 'Sideways', weightBp: 10_001 }, { ...good, strategy: { type: 'canary', steps: [{ setWeight: 'x' }] } }, {}]) agree('state', source.state, precompiled.state!, s)
  const entry = { at: 1, event: 'start', actor: 'config', from: 'Healthy', to: 'Progressing', detail: 'x' }
  for (const h of [[entry], [{ ...entry, to: 'Nowhere' }], [{}], 'x']) agree('history', source.history, precompiled.history!, h)
})

test('the precompiled admin body validators judge as the schemas compiled from the sources, and cover every body', async () => {
  const dist = await built('admin/validator')
  assert.deepEqual(dist.names, admin.names)
  const source = admin.validators()
  const precompiled = dist.validators()
  const samples: Record<string, unknown[]> = {
    WeightBody: [{ weight: 20 }, { weight: 20.555 }, { weight: 101 }, {}, { weight: 1, x: 1 }],
    StartBody: [{ version: { name: 'v2', backends: ['http://127.0.0.1:9002'] } }, { version: { name: 'v2', backends: ['nope'] }, strategy: { canary: { steps: [{ setWeight: 200 }] } } }, {}],
    PromoteBody: [{}, { full: true }, { full: 'yes' }],
    AbortBody: [{}, { message: 'x' }, { message: 'x'.repeat(501) }],
    EmptyBody: [{}, { x: 1 }],
  }
  for (const name of admin.names) for (const s of samples[name] ?? []) agree(name, source[name], precompiled[name]!, s)
  // The JSON schemas dist/admin/schemas.js holds are the TypeBox ones, written out.
  const json = await import(new URL('../../dist/admin/schemas.js', import.meta.url).href) as Record<string, unknown>
  assert.deepEqual({ ...json }, JSON.parse(JSON.stringify(adminSchemas)) as unknown)
})
