import type { TestContext } from 'node:test'
import type { WebhookType } from '../../../src/analysis/types.js'
import { seeded } from '../../support/prng.js'
import { backend, type DemoBackend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world, type World } from '../../support/world/world.js'
import { hook, type Hook } from './hook.js'

/** Generous: these tests wait on real timers and real sockets, and CI machines stall. */
export const patience = 15_000

export interface WebhookDecl {
  name: string
  type: WebhookType
  /** The hook path it calls; `/<name>` unless given. */
  path?: string
  failureLimit?: number
  /** How long ramp waits for the hook's answer; 2s unless given. */
  timeout?: string
}

export interface Setup {
  /** The `strategy:` block, as the config file would hold it. */
  strategy: Record<string, unknown>
  webhooks?: WebhookDecl[]
  templates?: Array<Record<string, unknown>>
  /** Release v2 from the config at boot; false starts at Healthy and a test deploys. */
  canaryAtBoot?: boolean
  v2FailRate?: number
}

export interface Gated {
  w: World
  hook: Hook
  backends: Record<'v1' | 'v2' | 'v3', DemoBackend>
  /** Starts a rollout of v2 or v3 (POST /api/v1/rollout) and answers its status. */
  deploy: (name: 'v2' | 'v3') => Promise<number>
}

/**
 * A ramp in front of demo backends v1 (stable), v2 and v3, whose webhooks all call one
 * controllable hook, every one every 500 ms. The rollout is named `shop` so a payload's
 * `rollout` is seen to come from the config, not from a default.
 */
export async function gated(t: TestContext, setup: Setup): Promise<Gated> {
  const h = await hook(t)
  const backends = {
    v1: await backend(t, { name: 'v1' }),
    v2: await backend(t, { name: 'v2', failRate: setup.v2FailRate ?? 0, random: seeded(7) }),
    v3: await backend(t, { name: 'v3' }),
  }
  const webhooks = (setup.webhooks ?? []).map((w) => ({
    name: w.name, type: w.type, url: `${h.url}${w.path ?? `/${w.name}`}`, interval: '500ms', timeout: w.timeout ?? '2s',
    ...(w.failureLimit === undefined ? {} : { failureLimit: w.failureLimit }),
  }))
  const config = release({
    v1: backends.v1.url,
    ...(setup.canaryAtBoot === false ? {} : { v2: backends.v2.url }),
    preview: true,
    strategy: setup.strategy,
    more: { name: 'shop', analysis: { templates: setup.templates ?? [] }, webhooks },
  })
  const w = await world(t, { config, seed: 42 })
  return {
    w,
    hook: h,
    backends,
    deploy: async (name) => (await w.admin.deploy({ name, backends: [backends[name].url] })).status,
  }
}
