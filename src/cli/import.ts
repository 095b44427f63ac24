import { readFileSync } from 'node:fs'
import { parseAllDocuments, stringify } from 'yaml'
import { dropIgnoredStrategyFields, ignoredStepFields } from '../config/argo-fields.js'
import { parseConfig } from '../config/load.js'
import { isRampError } from '../errors.js'
import { CliExit, exitCode } from './exit.js'

/** Canary step kinds that carry over as they are; analysis steps are handled apart (below). */
const supportedSteps = new Set(['setWeight', 'pause'])

/** Argo's analysis refers to AnalysisTemplate objects whose successCondition expressions do not carry over. */
const analysisReason = 'Argo AnalysisTemplates do not carry over: write the checks as ramp templates in analysis.templates (README: Automated analysis) and add the step back'

/**
 * `ramp import rollout.yaml`: reads an Argo Rollouts `Rollout` manifest and prints a ramp
 * config with its strategy. Kubernetes-only fields are dropped and named, each with the
 * reason, as comments at the top, so the output is a file to review, then save.
 */
export function importCommand(path: string, out: NodeJS.WritableStream = process.stdout): void {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new CliExit(exitCode.usage, `cannot read ${path}: ${(err as Error).message}`)
  }
  const parsed = parseAllDocuments(text)
  const list = Array.isArray(parsed) ? parsed : [parsed]
  const yamlError = list.flatMap((d) => d.errors)[0]
  if (yamlError !== undefined) throw new CliExit(exitCode.usage, `${path} is not valid YAML: ${yamlError.message.split('\n')[0]}`)
  const rollout = list.map((d) => d.toJS() as Record<string, unknown> | null).find((d) => d?.kind === 'Rollout')
  if (rollout === undefined || rollout === null) throw new CliExit(exitCode.usage, `${path} has no document with kind: Rollout`)
  const spec = (rollout.spec ?? {}) as Record<string, unknown>
  const strategy = structuredClone(spec.strategy ?? {}) as Record<string, unknown>
  const name = String((rollout.metadata as { name?: string } | undefined)?.name ?? 'service')
  const canary = strategy.canary as { steps?: Array<Record<string, unknown>>; analysis?: unknown } | undefined
  const notes: string[] = []
  // Named by their index in the manifest: emptied here, they are removed with the
  // Kubernetes-only steps in one pass that keeps the original numbering.
  canary?.steps?.forEach((step, i) => {
    const kind = Object.keys(step)[0] ?? ''
    if (supportedSteps.has(kind) || kind in ignoredStepFields) return
    notes.push(`strategy.canary.steps[${i}].${kind} dropped: ${kind === 'analysis' ? analysisReason : `ramp does not run ${kind} steps`}`)
    if (canary.steps !== undefined) canary.steps[i] = {}
  })
  notes.push(...dropIgnoredStrategyFields(strategy))
  if (canary?.analysis !== undefined) {
    delete canary.analysis
    notes.push(`strategy.canary.analysis dropped: ${analysisReason}`)
  }
  const bg = strategy.blueGreen as Record<string, unknown> | undefined
  for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
    if (bg?.[key] !== undefined) {
      delete bg[key]
      notes.push(`strategy.blueGreen.${key} dropped: ${analysisReason}`)
    }
  }
  const config: Record<string, unknown> = {
    listen: { host: '0.0.0.0', port: 8080 },
    preview: { host: '0.0.0.0', port: 8081 },
    admin: { host: '127.0.0.1', port: 9191 },
    stable: { name: 'stable', backends: ['http://127.0.0.1:9001'] },
    strategy,
  }
  for (const key of ['progressDeadlineSeconds', 'progressDeadlineAbort'] as const) if (spec[key] !== undefined) config[key] = spec[key]
  const output = stringify(config)
  try {
    parseConfig(output, null, {})
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, `the strategy of ${path} is not one ramp can run:\n${err.message}`)
    throw err
  }
  const header = [
    `# ramp config imported from ${path} (Rollout ${name}).`,
    '# Set stable to the backends serving today; deploy a new version with `ramp deploy`.',
    ...(notes.length === 0 ? ['# Nothing was dropped.'] : ['# Dropped, with the reason:', ...notes.map((n) => `#   ${n}`)]),
  ]
  out.write(`${header.join('\n')}\n${output}`)
}
