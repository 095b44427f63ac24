import type { CompiledShaping } from './compile.js'
import type { DecideTable } from './decide.js'
import type { RequestFacts } from './types.js'
import { FULL_BP } from './weight.js'

/**
 * The version a request should be copied to, or null. Only a request stable serves on the
 * main listener is mirrored (one the canary serves has already reached it), only while a
 * canary is in the table, only when the mirror's conditions match, and then with the
 * mirror's percentage. The conditions are tested before the draw, so `random` is called
 * only for requests that could be copied.
 */
export function mirrorTarget<V extends { readonly name: string }>(
  table: DecideTable<V>,
  shaping: CompiledShaping,
  listener: 'main' | 'preview',
  served: V,
  req: RequestFacts,
  random: () => number,
): V | null {
  const m = shaping.mirror
  const canary = table.canary
  if (m === null || canary === null || listener !== 'main' || served === canary || m.percentageBp <= 0) return null
  if (!m.test(req)) return null
  return m.percentageBp >= FULL_BP || random() * FULL_BP < m.percentageBp ? canary : null
}
