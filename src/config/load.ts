import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { rampError } from '../errors.js'
import { percentToBp } from '../routing/weight.js'
import { resolveAnalysisArgs } from './analysis-args.js'
import { dropIgnoredStrategyFields } from './argo-fields.js'
import { expandEnv } from './env.js'
import { ajvProblems, formatProblem, type Problem } from './problems.js'
import type { RawConfig } from './schema.js'
import { semanticProblems } from './semantic.js'
import { validators } from './validator.js'

export type Mode = 'canary' | 'blueGreen'

/** A configuration that passed every check, with defaults filled in and derived values added. */
export interface Config extends RawConfig {
  mode: Mode
  weightBp: number
  /** Absolute path of the state file. */
  statePath: string
  /** The file it came from, or null for an embedded config (the demo). */
  source: string | null
  /** Things that were accepted but ignored (Kubernetes-only Argo fields), one line each. */
  warnings: string[]
}

/**
 * Parses and checks a whole configuration. Every problem found is collected (not just the
 * first), and nothing is returned unless there are none: ramp never starts half-configured.
 */
export function parseConfig(text: string, source: string | null, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: Problem[] = []
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  // Later YAML errors are mostly echoes of the first one; report that one, with its position.
  const yamlError = doc.errors[0]
  if (yamlError !== undefined) throw invalid(source, [{ path: '', message: `YAML: ${yamlError.message.split('\n')[0]}` }])

  const tree = expandEnv(doc.toJS(), env, problems)
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    throw invalid(source, [...problems, { path: '', message: 'the configuration must be a mapping (key: value)' }])
  }
  const found = problems.length
  const warnings = adoptArgoFields(tree as Record<string, unknown>, problems)
  // An unfilled placeholder would also fail the checks of the field it sits in: say it once.
  if (problems.length > found) throw invalid(source, problems)

  const validate = validators().config
  if (!validate(tree)) problems.push(...ajvProblems(validate.errors ?? [], tree))
  if (problems.length > 0) throw invalid(source, problems)
  const raw = tree as RawConfig
  problems.push(...semanticProblems(raw))
  if (problems.length > 0) throw invalid(source, problems)

  const base = source === null ? process.cwd() : dirname(resolve(source))
  return {
    ...raw,
    listen: resolveTls(raw.listen, base),
    ...(raw.preview === undefined ? {} : { preview: resolveTls(raw.preview, base) }),
    admin: resolveTls(raw.admin, base),
    mode: raw.mode ?? (raw.strategy?.blueGreen !== undefined ? 'blueGreen' : 'canary'),
    weightBp: percentToBp(raw.weight),
    statePath: resolve(base, raw.state.path),
    source,
    warnings,
  }
}

/** A listener's certificate files are relative to the config file, as state.path is; made absolute once, here. */
function resolveTls<L extends { tls?: { cert: string; key: string } }>(listener: L, base: string): L {
  if (listener.tls === undefined) return listener
  return { ...listener, tls: { cert: resolve(base, listener.tls.cert), key: resolve(base, listener.tls.key) } }
}

/**
 * Reads the Argo forms of a config in place (Kubernetes-only fields, multi-action steps,
 * analysis args); `ramp import` calls it too, so both say the same. Returns the warnings.
 */
export function adoptArgoFields(tree: Record<string, unknown>, problems: Problem[]): string[] {
  const warnings = dropIgnoredStrategyFields(tree.strategy)
  resolveAnalysisArgs(tree, problems)
  return warnings
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw rampError('RAMP_ERR_CONFIG_READ', `cannot read ${path}: ${(cause as Error).message}`, { cause })
  }
  return parseConfig(text, path, env)
}

function invalid(source: string | null, problems: Problem[]) {
  const lines = problems.map(formatProblem)
  return rampError('RAMP_ERR_CONFIG_INVALID', `${source ?? 'configuration'} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.map((l) => `  ${l}`).join('\n')}`, {
    details: { problems: lines },
  })
}
