import { compileShaping, type CompiledShaping } from '../../src/routing/compile.js'
import type { RequestFacts, ShapingSpec } from '../../src/routing/types.js'

export interface FactsInit {
  method?: string
  path?: string
  query?: string
  headers?: Record<string, string>
  clientAddress?: string
}

/** What a test request reads: which headers were asked for, and whether the query was. */
export interface Reads {
  headers: string[]
  query: number
}

/**
 * A request as the data plane would describe it. Headers are stored lower case, and asking
 * for a name that is not lower case fails the test: that is the contract of `header()`.
 */
export function facts(init: FactsInit = {}, reads: Reads = { headers: [], query: 0 }): RequestFacts {
  const headers = new Map(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  const query = init.query ?? ''
  return {
    method: init.method ?? 'GET',
    path: init.path ?? '/',
    get query() {
      reads.query++
      return query
    },
    header(name) {
      if (name !== name.toLowerCase()) throw new Error(`header("${name}") asked with upper case`)
      reads.headers.push(name)
      return headers.get(name)
    },
    clientAddress: init.clientAddress,
  }
}

/** A request that fails the test when anything of it but method and path is read. */
export function untouchable(method = 'GET', path = '/'): RequestFacts {
  return {
    method,
    path,
    get query(): string { throw new Error('query read') },
    header(name) { throw new Error(`header ${name} read`) },
    get clientAddress(): string { throw new Error('clientAddress read') },
  }
}

export const LIMITS: ShapingSpec['limits'] = { mirrorBodyBytes: 1 << 20, mirrorsInFlight: 16, regexInputChars: 1024 }

/** The defaults of a config that turns traffic shaping on, with `over` on top. */
export function shaping(over: Partial<ShapingSpec> = {}): CompiledShaping {
  const { shaping: s, problems } = compileShaping({
    overrideHeader: 'x-ramp-version',
    overrideCookie: 'ramp-version',
    routes: [],
    stickiness: null,
    balance: 'random',
    mirror: null,
    limits: LIMITS,
    ...over,
  })
  if (problems.length > 0) throw new Error(`test shaping has problems: ${JSON.stringify(problems)}`)
  return s
}
