import { readFileSync } from 'node:fs'
import { parseAllDocuments, stringify } from 'yaml'
import { ignoredSpecFields } from '../config/argo-fields.js'
import { isMapping } from '../config/is-mapping.js'
import { adoptArgoFields, parseConfig } from '../config/load.js'
import { formatProblem, type Problem } from '../config/problems.js'
import { isRampError } from '../errors.js'
import { CliExit, exitCode } from './exit.js'
import { convertTemplate, nameOf, type ConvertedTemplate } from './import-analysis.js'
import { fromFlagger } from './import-flagger.js'

type Doc = Record<string, unknown>


/**
 * `ramp import rollout.yaml`: reads an Argo Rollouts `Rollout` manifest (and the
 * AnalysisTemplates in the same file), or a Flagger `Canary` (and its MetricTemplates), and
 * prints a ramp config with its strategy. The
 * strategy goes through the config loader's own reading of Argo fields (adoptArgoFields),
 * so importing it and pasting it into a config say the same; what does not carry over is
 * named with the reason as comments at the top, so the output is a file to review, then save.
 */
export function importCommand(path: string, options: { name?: string } = {}, out: NodeJS.WritableStream = process.stdout): void {
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
  const docs = list.map((d) => d.toJS() as unknown).filter(isMapping)
  const rollouts = docs.filter((d) => d.kind === 'Rollout')
  const canaries = docs.filter((d) => d.kind === 'Canary' && String(d.apiVersion).startsWith('flagger.app/'))
  const kind = rollouts.length > 0 || canaries.length === 0 ? 'Rollout' : 'Canary'
  const chosen = pick(path, kind, kind === 'Rollout' ? rollouts : canaries, options.name)
  const name = nameOf(chosen)
  const notes: string[] = []
  const config: Doc = {
    name,
    listen: { host: '0.0.0.0', port: 8080 },
    preview: { host: '0.0.0.0', port: 8081 },
    admin: { host: '127.0.0.1', port: 9191 },
    stable: { name: 'stable', backends: ['http://127.0.0.1:9001'] },
    ...(kind === 'Rollout' ? fromRollout(chosen, docs, notes) : fromFlagger(chosen, docs, notes)),
  }
  const problems: Problem[] = []
  notes.push(...adoptArgoFields(config, problems))
  // Steps whose analysis was dropped above are left empty, to keep the manifest's numbering in the notes.
  const canary = isMapping(config.strategy) ? config.strategy.canary : undefined
  if (isMapping(canary) && Array.isArray(canary.steps)) canary.steps = canary.steps.filter((s) => !isMapping(s) || Object.keys(s).length > 0)
  if (problems.length > 0) throw new CliExit(exitCode.usage, `the strategy of ${path} is not one ramp can run:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`)
  const output = stringify(config)
  try {
    parseConfig(output, null, {})
  } catch (err) {
    if (isRampError(err)) throw new CliExit(exitCode.usage, `the strategy of ${path} is not one ramp can run:\n${err.message}`)
    throw err
  }
  const header = [
    `# ramp config imported from ${path} (${kind} ${name}).`,
    '# Set stable to the backends serving today; deploy a new version with `ramp deploy`.',
    ...(notes.length === 0 ? ['# Nothing was dropped.'] : ['# Dropped or reshaped, with the reason:', ...notes.map((n) => `#   ${n}`)]),
  ]
  out.write(`${header.join('\n')}\n${output}`)
}

function pick(path: string, kind: string, found: Doc[], name: string | undefined): Doc {
  if (found.length === 0) throw new CliExit(exitCode.usage, `${path} has no document with kind: Rollout (Argo Rollouts) or kind: Canary (Flagger)`)
  const names = found.map(nameOf).join(', ')
  if (name !== undefined) {
    const one = found.find((r) => nameOf(r) === name)
    if (one === undefined) throw new CliExit(exitCode.usage, `${path} has no ${kind} named ${name} (it has ${names})`)
    return one
  }
  if (found.length > 1) throw new CliExit(exitCode.usage, `${path} has ${found.length} ${kind}s (${names}); pick one with --name`)
  return found[0] as Doc
}

/** The strategy, analysis and deadline of an Argo Rollout, with the AnalysisTemplates of its file. */
function fromRollout(rollout: Doc, docs: Doc[], notes: string[]): Doc {
  const spec = isMapping(rollout.spec) ? rollout.spec : {}
  for (const key of Object.keys(spec)) {
    if (['strategy', 'progressDeadlineSeconds', 'progressDeadlineAbort'].includes(key)) continue
    notes.push(`spec.${key} dropped: ${ignoredSpecFields[key] ?? 'not a Rollout field ramp knows'}`)
  }
  const templates = new Map<string, ConvertedTemplate>()
  for (const d of docs.filter((x) => x.kind === 'AnalysisTemplate' || x.kind === 'ClusterAnalysisTemplate')) {
    const converted = convertTemplate(d, notes)
    if (converted !== undefined) templates.set(nameOf(d), converted)
  }
  const strategy = structuredClone(spec.strategy ?? {}) as Doc
  const used = keepAnalysis(strategy, templates, notes)
  return {
    strategy,
    // Argo leaves a rollout past its deadline Degraded unless told to abort; ramp's default aborts.
    progressDeadlineAbort: spec.progressDeadlineAbort ?? false,
    ...(spec.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: spec.progressDeadlineSeconds }),
    ...(used.length === 0 ? {} : { analysis: { templates: used.map((t) => t.template) } }),
  }
}

/**
 * Keeps each analysis whose templates were all converted, filling args the reference does
 * not give from the templates' defaults; drops the others by name. Returns the templates used.
 */
function keepAnalysis(strategy: Doc, templates: Map<string, ConvertedTemplate>, notes: string[]): ConvertedTemplate[] {
  const used = new Set<ConvertedTemplate>()
  const check = (ref: unknown, at: string): boolean => {
    if (!isMapping(ref)) return true
    const names = (Array.isArray(ref.templates) ? ref.templates : []).map((t) => (isMapping(t) ? String(t.templateName) : String(t)))
    const missing = names.filter((n) => !templates.has(n))
    if (missing.length > 0) {
      notes.push(`${at} dropped: template ${missing.join(', ')} is not an AnalysisTemplate of this file that ramp can run (see above, or write it as a ramp template in analysis.templates and add the analysis back)`)
      return false
    }
    const args = Array.isArray(ref.args) ? ref.args.filter(isMapping) : []
    for (const n of names) {
      const t = templates.get(n) as ConvertedTemplate
      used.add(t)
      for (const d of t.defaults) if (!args.some((a) => a.name === d.name)) args.push(d)
    }
    if (args.length > 0) ref.args = args
    return true
  }
  const c = strategy.canary
  if (isMapping(c)) {
    if (!check(c.analysis, 'strategy.canary.analysis')) delete c.analysis
    if (Array.isArray(c.steps)) {
      c.steps.forEach((s, i) => {
        if (isMapping(s) && !check(s.analysis, `strategy.canary.steps[${i}].analysis`)) delete s.analysis
      })
    }
  }
  const bg = strategy.blueGreen
  if (isMapping(bg)) {
    for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) if (!check(bg[key], `strategy.blueGreen.${key}`)) delete bg[key]
  }
  return [...used]
}
