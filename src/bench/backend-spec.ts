import { latencySampler } from './latency.js'

/** How one version's demo backend answers in a bench run. */
export interface BackendSpec {
  name: string
  /** A latency distribution (see latency.ts): `fixed:5ms`, `normal:20ms,5ms`, ... */
  latency: string
  /** Body size of every answer; null keeps the demo's small JSON body. */
  bytes: number | null
  /** Share of requests (0..1) answered with 500. */
  errorRate: number
}

export type BackendField = 'latency' | 'bytes' | 'errorRate'

/**
 * Flag values as given (`--latency normal:20ms,5ms`, `--error-rate v2=0.1`), kept by the
 * version they name; `*` holds the ones that name none and apply to every version.
 */
export type BackendFlags = Record<string, Partial<Omit<BackendSpec, 'name'>>>

/** `v2=0.1` -> ['v2', '0.1']; `0.1` -> ['*', '0.1']. A latency spec holds ':' and ',' but never '='. */
function split(raw: string): [string, string] {
  const eq = raw.indexOf('=')
  return eq < 0 ? ['*', raw] : [raw.slice(0, eq), raw.slice(eq + 1)]
}

/** Folds one flag's values into `flags`; answers a message for the first bad value. */
export function addBackendFlag(flags: BackendFlags, field: BackendField, values: string[]): string | null {
  for (const raw of values) {
    const [version, value] = split(raw)
    const entry = (flags[version] ??= {})
    if (field === 'latency') {
      const sampler = latencySampler(value)
      if (typeof sampler === 'string') return `--latency ${raw}: ${sampler}`
      entry.latency = value
    } else if (field === 'bytes') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 0) return `--size ${raw}: the body size is a whole number of bytes`
      entry.bytes = n
    } else {
      const share = Number(value)
      if (!(share >= 0 && share <= 1)) return `--error-rate ${raw}: the error rate is a share from 0 to 1`
      entry.errorRate = share
    }
  }
  return null
}

/** A version's spec: its own flags, else the flags for every version, else the scenario's default, else a plain demo backend. */
export function backendSpec(name: string, flags: BackendFlags, scenarioDefault: Partial<Omit<BackendSpec, 'name'>> = {}): BackendSpec {
  const own = flags[name] ?? {}
  const all = flags['*'] ?? {}
  return {
    name,
    latency: own.latency ?? all.latency ?? scenarioDefault.latency ?? 'none',
    bytes: own.bytes ?? all.bytes ?? scenarioDefault.bytes ?? null,
    errorRate: own.errorRate ?? all.errorRate ?? scenarioDefault.errorRate ?? 0,
  }
}
