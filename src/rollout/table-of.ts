import type { TableSpec } from '../routing/table.js'
import { inProgress } from './phase.js'
import type { RolloutState } from './types.js'

/**
 * The routing table the state calls for. The canary enters the table only once it is ready,
 * so neither listener (the preview one included) reaches a version still starting up; an
 * aborted canary leaves it at once, which is the instant rollback.
 */
export function tableOf(s: RolloutState): TableSpec {
  const canary = inProgress(s) && s.canaryReady ? s.canary : null
  return {
    mode: s.strategy.type,
    stable: { name: s.stable.name, backends: [...s.stable.backends] },
    canary: canary === null ? null : { name: canary.name, backends: [...canary.backends] },
    weightBp: canary === null ? 0 : s.weightBp,
  }
}

export function sameTable(a: TableSpec, b: TableSpec): boolean {
  return a.mode === b.mode && a.weightBp === b.weightBp && sameVersion(a.stable, b.stable) &&
    (a.canary === null ? b.canary === null : b.canary !== null && sameVersion(a.canary, b.canary))
}

function sameVersion(a: TableSpec['stable'], b: TableSpec['stable']): boolean {
  return a.name === b.name && a.backends.length === b.backends.length && a.backends.every((x, i) => x === b.backends[i])
}
