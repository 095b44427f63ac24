import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Ramp } from '../../src/ramp.js'
import type { DemoBackend } from '../../src/demo/backend.js'
import type { Clock } from '../../src/clock.js'
import { binomialBounds, seeded } from '../support/prng.js'
import { admin, backend, countVersions, rampWith, waitFor } from '../support/ramp.js'

/**
 * Given / When / Then for rollouts over real sockets: `given` starts demo backends v1, v2
 * and v3 and a ramp in front of them; `when` drives the admin API; `then` asserts on the
 * state and on the traffic the listeners actually send. A case reads like
 * `given(strategy).when.promote().then.weight(50).split(...)`.
 */
export interface World {
  ramp: Ramp
  backends: Record<'v1' | 'v2' | 'v3', DemoBackend>
  when: When
  then: Then
}

type Reply = Awaited<ReturnType<typeof admin<Record<string, unknown>>>>

export interface When {
  verb(verb: 'promote' | 'abort' | 'retry' | 'pause' | 'resume', body?: unknown): Promise<Reply>
  promote(full?: boolean): Promise<Reply>
  setWeight(weight: number): Promise<Reply>
  deploy(name: 'v2' | 'v3', extra?: Record<string, unknown>): Promise<Reply>
}

export interface Then {
  phase(phase: string, reason?: string): Promise<Then>
  /** Waits (briefly) until the state reaches the phase, for transitions made by timers. */
  eventually(phase: string, reason?: string, timeoutMs?: number): Promise<Then>
  weight(percent: number): Then
  /** Sends n requests through the main listener and checks each version's share against the weight. */
  split(n: number): Promise<Then>
  previewServes(version: string, n?: number): Promise<Then>
  mainServes(version: string, n?: number): Promise<Then>
}

export interface Given {
  strategy?: string
  canary?: 'v2' | null
  preview?: boolean
  extra?: string
  env?: NodeJS.ProcessEnv
  clock?: Clock
}

export async function given(t: TestContext, g: Given = {}): Promise<World> {
  const backends = {
    v1: await backend(t, { name: 'v1' }),
    v2: await backend(t, { name: 'v2' }),
    v3: await backend(t, { name: 'v3' }),
  }
  const yaml = [
    'listen: { port: 0 }',
    g.preview === false ? '' : 'preview: { port: 0 }',
    `stable: { name: v1, backends: ["${backends.v1.url}"] }`,
    g.canary === null ? '' : `canary: { name: v2, backends: ["${backends.v2.url}"] }`,
    'readiness: { intervalMs: 20 }',
    g.strategy === undefined ? '' : `strategy:\n${g.strategy.replace(/^/gm, '  ')}`,
    g.extra ?? '',
  ].join('\n')
  const ramp = await rampWith(t, yaml, { random: seeded(42), ...(g.env === undefined ? {} : { env: g.env }), ...(g.clock === undefined ? {} : { clock: g.clock }) })
  const status = async (): Promise<{ phase: string; reason: string; weight: number }> => (await admin<{ phase: string; reason: string; weight: number }>(ramp, 'GET', '/api/v1/rollout')).body

  const when: When = {
    verb: (verb, body = {}) => admin(ramp, 'POST', `/api/v1/rollout/${verb}`, body),
    promote: (full = false) => admin(ramp, 'POST', '/api/v1/rollout/promote', full ? { full: true } : {}),
    setWeight: (weight) => admin(ramp, 'PUT', '/api/v1/rollout/weight', { weight }),
    deploy: (name, extra = {}) => admin(ramp, 'POST', '/api/v1/rollout', { version: { name, backends: [backends[name].url] }, ...extra }),
  }
  const then: Then = {
    async phase(phase, reason) {
      const s = await status()
      assert.equal(s.phase, phase)
      if (reason !== undefined) assert.equal(s.reason, reason)
      return then
    },
    async eventually(phase, reason, timeoutMs = 5000) {
      let last = ''
      await waitFor(`phase ${phase}${reason === undefined ? '' : `/${reason}`}`, async () => {
        const s = await status()
        last = `${s.phase}/${s.reason}`
        return s.phase === phase && (reason === undefined || s.reason === reason)
      }, timeoutMs).catch((err: Error) => { throw new Error(`${err.message}; last seen ${last}`) })
      return then
    },
    weight(percent) {
      assert.equal(ramp.tables.current.weightBp, Math.round(percent * 100), 'weight in the routing table')
      return then
    },
    async split(n) {
      const table = ramp.tables.current
      const counts = await countVersions(ramp.urls.main, n)
      const p = table.weightBp / 10000
      const canary = table.canary?.name
      const onCanary = canary === undefined ? 0 : counts[canary] ?? 0
      const { low, high } = binomialBounds(n, p)
      assert.ok(onCanary >= low && onCanary <= high, `${canary ?? 'canary'} got ${onCanary} of ${n}, expected ${low}..${high} at weight ${p * 100}%`)
      assert.equal((counts[table.stable.name] ?? 0) + onCanary, n, `only ${table.stable.name} and ${canary ?? 'no canary'} served`)
      return then
    },
    async previewServes(version, n = 100) {
      assert.deepEqual(await countVersions(ramp.urls.preview as string, n), { [version]: n })
      return then
    },
    async mainServes(version, n = 200) {
      assert.deepEqual(await countVersions(ramp.urls.main, n), { [version]: n })
      return then
    },
  }
  return { ramp, backends, when, then }
}
