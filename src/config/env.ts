import { parse as parseYaml } from 'yaml'
import { joinPath, type Problem } from './problems.js'

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g
const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a parsed config. Expansion runs
 * after parsing, so a value can never inject YAML structure; a string that is exactly one
 * reference is re-read as a YAML scalar, so `port: ${PORT:-8080}` is still a number.
 */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, problems: Problem[], path = ''): unknown {
  if (typeof value === 'string') {
    const isWhole = whole.test(value)
    const out = value.replace(reference, (ref, name: string, fallback: string | undefined) => {
      const v = env[name]
      if (v !== undefined && v !== '') return v
      if (fallback !== undefined) return fallback
      problems.push({ path, message: `${ref} is not set (set ${name}, or give a default: \${${name}:-value})` })
      return ref
    })
    if (isWhole && out !== value) {
      const scalar: unknown = parseYaml(out)
      return scalar === null || typeof scalar === 'object' ? out : scalar
    }
    return out
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, problems, joinPath(path, i)))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, problems, joinPath(path, k))
    return out
  }
  return value
}
