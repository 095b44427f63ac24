import { bpToPercent } from '../routing/weight.js'
import type { RolloutState, Strategy, VersionSpec } from './types.js'

/** One field where the state a ramp resumed differs from what its config would start. */
export interface Drift {
  field: 'stable' | 'canary' | 'strategy' | 'weight'
  config: string
  state: string
}

const version = (v: VersionSpec | null): string => (v === null ? 'none' : `${v.name} (${v.backends.join(', ')})`)
const sameVersion = (a: VersionSpec | null, b: VersionSpec | null): boolean =>
  a === b || (a !== null && b !== null && a.name === b.name && a.backends.join() === b.backends.join())

function strategy(s: Strategy): string {
  if (s.type === 'blueGreen') return `blueGreen (autoPromotionEnabled ${String(s.autoPromotionEnabled)}, autoPromotionSeconds ${s.autoPromotionSeconds ?? 'none'}, scaleDownDelaySeconds ${s.scaleDownDelaySeconds})`
  return `canary, ${s.steps.length} step${s.steps.length === 1 ? '' : 's'}: ${JSON.stringify(s.steps)}`
}

/**
 * Where the stored state differs from `fresh`, the state the config would start from an empty
 * store (initial.ts). The stored state wins, so that a restart resumes a rollout where it
 * was; these say what the config no longer decides. The weight is compared only between two
 * static splits: in a rollout with steps it is the rollout's progress, not the config's.
 */
export function stateDrift(fresh: RolloutState, stored: RolloutState): Drift[] {
  const out: Drift[] = []
  if (!sameVersion(fresh.stable, stored.stable)) out.push({ field: 'stable', config: version(fresh.stable), state: version(stored.stable) })
  if (!sameVersion(fresh.canary, stored.canary)) out.push({ field: 'canary', config: version(fresh.canary), state: version(stored.canary) })
  const [a, b] = [strategy(fresh.strategy), strategy(stored.strategy)]
  if (a !== b) out.push({ field: 'strategy', config: a, state: b })
  const [split, kept] = [fresh.staticSplitBp ?? null, stored.staticSplitBp ?? null]
  if (split !== null && kept !== null && split !== kept) out.push({ field: 'weight', config: String(bpToPercent(split)), state: String(bpToPercent(kept)) })
  return out
}

/** What `ramp serve` logs at start, and `ramp status` shows, when the stored state differs from the config. */
export function driftSentence(drift: readonly Drift[], store: string): string {
  const fields = drift.map((d) => `${d.field}: the config says ${d.config}, the state ${d.state}`).join('; ')
  return `the state resumed from ${store} differs from the configuration, and the state wins (a restart resumes the rollout where it was): ${fields}. ` +
    'To start from the configuration instead, restart with `ramp serve --reset-state` (moves the state file aside), or change the rollout through the admin API (`ramp deploy`, `abort`, `set-weight`)'
}
