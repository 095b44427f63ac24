import type { TestContext } from 'node:test'
import type { WebhookType } from '../../../src/analysis/types.js'
import type { DemoBackend } from '../../../src/demo/backend.js'
import type { Ramp } from '../../../src/ramp.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import type { StateStore } from '../../../src/state/store.js'
import { seeded } from '../../support/prng.js'
import { admin, backend, rampWith, waitFor } from '../../support/ramp.js'
import { hook, type Hook } from './hook.js'

/** Generous: these tests wait on real timers and real sockets, and CI machines stall. */
export const patience = 15_000

export interface WebhookDecl {
  name: string
  type: WebhookType
  /** The hook path it calls; `/<name>` unless given. */
  path?: string
  failureLimit?: number
}

export interface Setup {
  /** The `strategy:` block, as the config file would hold it. */
  strategy: Record<string, unknown>
  webhooks?: WebhookDecl[]
  templates?: Array<Record<string, unknown>>
  /** Release v2 from the config at boot; false starts at Healthy and a test deploys. */
  canaryAtBoot?: boolean
  v2FailRate?: number
  /** A store that outlives this ramp, for a restart. */
  store?: StateStore
}

export interface View {
  phase: string
  reason: string
  message: string
  weight: number
  step: number
  stable: { name: string }
  canary: { name: string } | null
  abort: { reason: string; message: string; actor: string } | null
  analysis: { runs: Array<{ id: string; kind: string; listener: string }> }
}

export interface Entry { at: string; event: string; actor: string; from: string; to: string; detail: string }

export interface World {
  ramp: Ramp
  hook: Hook
  backends: Record<'v1' | 'v2' | 'v3', DemoBackend>
  yaml: string
  store: StateStore
  status(): Promise<View>
  /** Waits for phase/reason; the error names the last state seen, which is what one debugs from. */
  eventually(phase: string, reason: string, timeoutMs?: number): Promise<View>
  events(): Promise<Entry[]>
  deploy(name: 'v2' | 'v3'): Promise<number>
  verb(verb: 'promote' | 'abort' | 'retry'): Promise<View>
}

/**
 * A ramp in front of demo backends v1 (stable), v2 and v3, whose webhooks all call one
 * controllable hook, every one every 500 ms. The rollout is named `shop` so a payload's
 * `rollout` is seen to come from the config, not from a default.
 */
export async function world(t: TestContext, setup: Setup): Promise<World> {
  const h = await hook(t)
  const backends = {
    v1: await backend(t, { name: 'v1' }),
    v2: await backend(t, { name: 'v2', failRate: setup.v2FailRate ?? 0, random: seeded(7) }),
    v3: await backend(t, { name: 'v3' }),
  }
  const webhooks = (setup.webhooks ?? []).map((w) => ({
    name: w.name, type: w.type, url: `${h.url}${w.path ?? `/${w.name}`}`, interval: '500ms', timeout: '2s',
    ...(w.failureLimit === undefined ? {} : { failureLimit: w.failureLimit }),
  }))
  // JSON is YAML, so the blocks are written as data and cannot be mis-indented.
  const yaml = [
    'name: shop',
    'listen: { port: 0 }',
    'preview: { port: 0 }',
    `stable: { name: v1, backends: ["${backends.v1.url}"] }`,
    setup.canaryAtBoot === false ? '' : `canary: { name: v2, backends: ["${backends.v2.url}"] }`,
    'readiness: { intervalMs: 20 }',
    `strategy: ${JSON.stringify(setup.strategy)}`,
    `analysis: ${JSON.stringify({ templates: setup.templates ?? [] })}`,
    `webhooks: ${JSON.stringify(webhooks)}`,
  ].join('\n')
  const store = setup.store ?? createMemoryStore()
  const ramp = await rampWith(t, yaml, { random: seeded(42), store })
  const status = async (): Promise<View> => (await admin<View>(ramp, 'GET', '/api/v1/rollout')).body
  return {
    ramp,
    hook: h,
    backends,
    yaml,
    store,
    status,
    async eventually(phase, reason, timeoutMs = patience) {
      let last: View | null = null
      await waitFor(`${phase}/${reason}`, async () => {
        last = await status()
        return last.phase === phase && last.reason === reason
      }, timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}; last seen ${last === null ? 'nothing' : `${last.phase}/${last.reason}: ${last.message}`}`)
      })
      return last as unknown as View
    },
    async events() {
      return (await admin<{ events: Entry[] }>(ramp, 'GET', '/api/v1/rollout/events')).body.events
    },
    async deploy(name) {
      return (await admin(ramp, 'POST', '/api/v1/rollout', { version: { name, backends: [backends[name].url] } })).status
    },
    async verb(verb) {
      const res = await admin<View>(ramp, 'POST', `/api/v1/rollout/${verb}`, {})
      if (res.status !== 200) throw new Error(`${verb} answered ${res.status}: ${JSON.stringify(res.body)}`)
      return res.body
    },
  }
}

/** Resolves after `ms`; only for checking that something does NOT happen over a few intervals. */
export function quiet(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
