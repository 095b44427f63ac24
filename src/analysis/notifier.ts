import type { Logger } from '../log.js'
import type { Clock } from '../clock.js'
import { inProgress, isInProgressPhase } from '../rollout/phase.js'
import type { HistoryEntry, RolloutState } from '../rollout/types.js'
import { callWebhook, type WebhookPayload } from './providers/webhook.js'
import type { WebhookSpec } from './types.js'

export interface NotifierDeps {
  webhooks: readonly WebhookSpec[]
  clock: Clock
  log: Logger
  payload: (state: RolloutState) => WebhookPayload
  /** A rollback webhook answered 2xx: abort now. */
  rollback: (webhook: string) => void
}

/** Retries of an `event` webhook: 1 s, 2 s, 4 s, then the event is dropped and logged. */
const eventRetries = [1000, 2000, 4000]

/**
 * The webhooks that watch a rollout rather than gate it (Flagger's semantics): `event`
 * receives every phase change, `post-rollout` the outcome once a rollout ends (its answer is
 * only logged), and `rollback` is polled while a rollout is in progress, a 2xx aborting it.
 * None of them ever blocks the engine: each call runs on its own, and its result is either
 * logged or turned into an ordinary event.
 */
export class Notifier {
  /** Bumped whenever polling stops, so an answer to an older poll cannot re-arm it. */
  private generation = 0
  private polling = false
  private closed = false
  /** The last state told; before a change, what an ended rollout is reported as. */
  private current: RolloutState | null = null

  constructor(private readonly deps: NotifierDeps) {}

  /** Called by the driver after every persisted change (and once after a resume, with no entries). */
  changed(state: RolloutState, entries: readonly HistoryEntry[]): void {
    const before = this.current
    this.current = state
    const payload = this.deps.payload(state)
    for (const entry of entries) {
      for (const w of this.of('event')) this.sendEvent(w, { ...payload, event: entry.event, detail: entry.detail, from: entry.from, to: entry.to, at: new Date(entry.at).toISOString() }, 0)
      // A versionHealth entry leaving Degraded is the stable recovering, not a rollout ending.
      if (entry.event !== 'versionHealth' && isInProgressPhase(entry.from) && !isInProgressPhase(entry.to)) {
        // A supersede ends one rollout and starts the next in one change: then the ended one
        // is the version the state held before it, in the phase the entry went to.
        const superseded = before?.canary != null && state.canary !== null && before.canary.name !== state.canary.name
        const endedPayload = superseded ? { ...this.deps.payload(before), phase: entry.to } : payload
        for (const w of this.of('post-rollout')) void this.postRollout(w, endedPayload)
      }
    }
    this.pollRollback(state)
  }

  close(): void {
    this.closed = true
    this.stopPolling()
  }

  private of(type: WebhookSpec['type']): WebhookSpec[] {
    return this.deps.webhooks.filter((w) => w.type === type)
  }

  private sendEvent(w: WebhookSpec, body: WebhookPayload & Record<string, unknown>, attempt: number): void {
    void callWebhook(w, body).then((r) => {
      if (r.ok && r.value === 1) return
      const why = r.ok ? r.detail ?? 'not 2xx' : r.message
      const delay = eventRetries[attempt]
      if (delay === undefined || this.closed) {
        this.deps.log.warn({ webhook: w.name, event: body.event }, `event webhook ${w.name} dropped the ${String(body.event)} event after ${attempt + 1} tries: ${why}`)
        return
      }
      this.deps.clock.at(this.deps.clock.now() + delay, () => { this.sendEvent(w, body, attempt + 1) })
    })
  }

  private async postRollout(w: WebhookSpec, payload: WebhookPayload): Promise<void> {
    const r = await callWebhook(w, payload)
    const said = r.ok ? (r.value === 1 ? 'ok' : `refused (${r.detail ?? 'not 2xx'})`) : r.message
    this.deps.log.info({ webhook: w.name, phase: payload.phase }, `post-rollout webhook ${w.name}: ${said}`)
  }

  private stopPolling(): void {
    this.polling = false
    this.generation++
  }

  /** Polls the rollback hooks every interval while a rollout is in progress, with the state of each moment. */
  private pollRollback(state: RolloutState): void {
    const hooks = this.of('rollback')
    if (!inProgress(state) || hooks.length === 0 || this.closed) return this.stopPolling()
    if (this.polling) return
    this.polling = true
    const generation = this.generation
    const interval = Math.min(...hooks.map((h) => h.intervalMs))
    const tick = (): void => {
      this.deps.clock.at(this.deps.clock.now() + interval, () => {
        if (generation !== this.generation || this.current === null) return
        const payload = this.deps.payload(this.current)
        void Promise.all(hooks.map(async (h) => ({ h, r: await callWebhook(h, payload) }))).then((answers) => {
          if (generation !== this.generation) return
          const yes = answers.find((a) => a.r.ok && a.r.value === 1)
          if (yes === undefined) return tick()
          this.stopPolling()
          this.deps.rollback(yes.h.name)
        })
      })
    }
    tick()
  }
}

