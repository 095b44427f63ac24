import { durationMs } from '../config/duration.js'
import type { StrategySpec } from '../config/schema.js'
import type { CanaryStep, Strategy } from './types.js'

/**
 * The config's Argo-style `strategy:` block as the engine's Strategy. The config was
 * validated first, so every duration here parses.
 */
export function strategyFromConfig(spec: StrategySpec | undefined): Strategy | null {
  if (spec === undefined) return null
  if (spec.blueGreen !== undefined) {
    const bg = spec.blueGreen
    return { type: 'blueGreen', autoPromotionEnabled: bg.autoPromotionEnabled, autoPromotionSeconds: bg.autoPromotionSeconds ?? null, scaleDownDelaySeconds: bg.scaleDownDelaySeconds }
  }
  const steps: CanaryStep[] = (spec.canary?.steps ?? []).map((s) => {
    if (s.setWeight !== undefined) return { setWeight: s.setWeight }
    const d = s.pause?.duration
    return { pause: d === undefined ? {} : { durationMs: durationMs(d) ?? 0 } }
  })
  return { type: 'canary', steps }
}
