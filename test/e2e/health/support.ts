import type { TestContext } from 'node:test'
import type { DemoBackend } from '../../../src/demo/backend.js'
import type { HealthView } from '../../../src/pool/health-view.js'
import type { Ramp } from '../../../src/ramp.js'
import { admin, backend, waitFor } from '../../support/ramp.js'

/** Active checks every 50 ms: out after 2 failures, back after 2 passes. */
export const quickChecks = 'healthCheck: { enabled: true, intervalMs: 50, timeoutMs: 200, unhealthyThreshold: 2, healthyThreshold: 2 }\n'

/** The same demo backend started again on the port it had, as a restarted process would be. */
export function restart(t: TestContext, dead: DemoBackend, name: string): Promise<DemoBackend> {
  return backend(t, { name, port: Number(new URL(dead.url).port) })
}

export async function rolloutOf(ramp: Ramp): Promise<Record<string, unknown> & { phase: string; reason: string; panic: boolean; health: HealthView }> {
  return (await admin<Record<string, unknown> & { phase: string; reason: string; panic: boolean; health: HealthView }>(ramp, 'GET', '/api/v1/rollout')).body
}

export function backendState(ramp: Ramp, url: string): string | undefined {
  return ramp.health.view().versions.flatMap((v) => v.backends).find((b) => b.url === url)?.state
}

export async function historyOf(ramp: Ramp): Promise<Array<{ event: string; from: string; to: string; detail: string }>> {
  return (await admin<{ events: Array<{ event: string; from: string; to: string; detail: string }> }>(ramp, 'GET', '/api/v1/rollout/events')).body.events
}

/** Waits until the history has a versionHealth entry whose detail matches. */
export function healthEvent(ramp: Ramp, detail: RegExp, timeoutMs = 5000): Promise<void> {
  return waitFor(`a versionHealth event matching ${detail}`, async () => (await historyOf(ramp)).some((e) => e.event === 'versionHealth' && detail.test(e.detail)), timeoutMs)
}
