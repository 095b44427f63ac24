import { durationMs } from './duration.js'
import type { Problem } from './problems.js'
import type { RawConfig } from './schema.js'

type Refs = Array<string | { templateName: string }>

export const refName = (r: Refs[number]): string => (typeof r === 'string' ? r : r.templateName)

function bound(v: number | string | undefined): number | undefined {
  return v === undefined ? undefined : typeof v === 'number' ? v : durationMs(v)
}

/** Analysis rules the schema cannot say: one provider per metric, sane ranges, names that resolve. */
export function analysisProblems(c: RawConfig): Problem[] {
  const out: Problem[] = []
  const names = new Set<string>()
  c.analysis.templates.forEach((t, i) => {
    const at = `analysis.templates[${i}]`
    if (names.has(t.name)) out.push({ path: `${at}.name`, message: `"${t.name}" names another template too; template names must be distinct` })
    names.add(t.name)
    const metricNames = new Set<string>()
    t.metrics.forEach((m, j) => {
      const mat = `${at}.metrics[${j}]`
      if (metricNames.has(m.name)) out.push({ path: `${mat}.name`, message: `"${m.name}" names another metric of this template too` })
      metricNames.add(m.name)
      const providers = (['builtin', 'prometheus', 'web'] as const).filter((p) => m[p] !== undefined)
      if (providers.length !== 1) {
        out.push({ path: mat, message: providers.length === 0 ? 'has no provider; give one of builtin, prometheus, web' : `has ${providers.join(' and ')}; give one provider per metric` })
      }
      const min = bound(m.thresholdRange.min)
      const max = bound(m.thresholdRange.max)
      if (min === undefined && max === undefined) out.push({ path: `${mat}.thresholdRange`, message: 'is empty; give min, max, or both' })
      if (min !== undefined && max !== undefined && min > max) out.push({ path: `${mat}.thresholdRange`, message: `min ${String(m.thresholdRange.min)} is above max ${String(m.thresholdRange.max)}; no value could pass` })
    })
  })
  const resolve = (refs: Refs, at: string): void => {
    refs.forEach((r, i) => {
      const name = refName(r)
      if (!names.has(name)) {
        out.push({ path: `${at}.templates[${i}]`, message: `"${name}" is not a template in analysis.templates${names.size === 0 ? ' (there are none)' : ` (known: ${[...names].join(', ')})`}` })
      }
    })
  }
  const s = c.strategy
  s?.canary?.steps.forEach((step, i) => {
    if (step.analysis !== undefined) resolve(step.analysis.templates, `strategy.canary.steps[${i}].analysis`)
  })
  if (s?.canary?.analysis !== undefined) {
    resolve(s.canary.analysis.templates, 'strategy.canary.analysis')
    const steps = s.canary.steps.length
    if (s.canary.analysis.startingStep > steps) out.push({ path: 'strategy.canary.analysis.startingStep', message: `${s.canary.analysis.startingStep} is past the last step (there are ${steps})` })
  }
  if (s?.blueGreen?.prePromotionAnalysis !== undefined) resolve(s.blueGreen.prePromotionAnalysis.templates, 'strategy.blueGreen.prePromotionAnalysis')
  if (s?.blueGreen?.postPromotionAnalysis !== undefined) resolve(s.blueGreen.postPromotionAnalysis.templates, 'strategy.blueGreen.postPromotionAnalysis')
  const hooks = new Set<string>()
  c.webhooks.forEach((w, i) => {
    if (hooks.has(w.name)) out.push({ path: `webhooks[${i}].name`, message: `"${w.name}" names another webhook too` })
    hooks.add(w.name)
  })
  return out
}
