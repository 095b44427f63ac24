import { durationMs } from '../config/duration.js'
import { refName } from '../config/analysis-semantic.js'
import type { StrategySpec } from '../config/schema.js'
import { matchOf } from '../config/shaping.js'
import type { CanaryStep, Strategy } from './types.js'

/**
 * The config's Argo-style `strategy:` block as the engine's Strategy. The config was
 * validated first, so every duration here parses.
 */
export function strategyFromConfig(spec: StrategySpec | undefined): Strategy | null {
  if (spec === undefined) return null
  if (spec.blueGreen !== undefined) {
    const bg = spec.blueGreen
    return {
      type: 'blueGreen',
      autoPromotionEnabled: bg.autoPromotionEnabled,
      autoPromotionSeconds: bg.autoPromotionSeconds ?? null,
      scaleDownDelaySeconds: bg.scaleDownDelaySeconds,
      prePromotionAnalysis: bg.prePromotionAnalysis === undefined ? null : { templates: bg.prePromotionAnalysis.templates.map(refName) },
      postPromotionAnalysis: bg.postPromotionAnalysis === undefined ? null : { templates: bg.postPromotionAnalysis.templates.map(refName) },
    }
  }
  const steps: CanaryStep[] = (spec.canary?.steps ?? []).map((s) => {
    if (s.setWeight !== undefined) return { setWeight: s.setWeight }
    if (s.analysis !== undefined) return { analysis: { templates: s.analysis.templates.map(refName), onFailure: s.analysis.onFailure } }
    if (s.setHeaderRoute !== undefined) {
      const r = s.setHeaderRoute
      return { setHeaderRoute: { name: r.name, ...(r.match === undefined ? {} : { match: matchOf(r.match) }) } }
    }
    if (s.setMirrorRoute !== undefined) {
      const m = s.setMirrorRoute
      return { setMirrorRoute: { name: m.name, ...(m.percentage === undefined ? {} : { percentage: m.percentage }), ...(m.match === undefined ? {} : { match: matchOf(m.match) }) } }
    }
    const d = s.pause?.duration
    return { pause: d === undefined ? {} : { durationMs: durationMs(d) ?? 0 } }
  })
  const background = spec.canary?.analysis
  return { type: 'canary', steps, analysis: background === undefined ? null : { templates: background.templates.map(refName), startingStep: background.startingStep } }
}
