import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RoutingSpec, TableSpec } from '../../src/routing/spec.js'
import { noShapingSpec, TableHolder } from '../../src/routing/table.js'

const table = (weightBp: number): TableSpec => ({
  mode: 'canary', stable: { name: 'v1', backends: ['http://127.0.0.1:1'] }, canary: { name: 'v2', backends: ['http://127.0.0.1:2'] }, weightBp, routes: [], mirror: null,
})
const spec = (version: number, weightBp: number): RoutingSpec => ({ version, table: table(weightBp), shaping: noShapingSpec })

test('a data plane applies a newer spec in one swap and ignores one not newer than it has', () => {
  const holder = new TableHolder(spec(1, 0))
  const seen: number[] = []
  holder.onApply((t) => seen.push(t.weightBp))
  const first = holder.current
  assert.ok(holder.apply(spec(3, 2000)) !== null)
  assert.equal(holder.current.weightBp, 2000)
  assert.equal(holder.apply(spec(2, 5000)), null, 'a late spec is not applied')
  assert.equal(holder.apply(spec(3, 5000)), null, 'nor a repeated version')
  assert.equal(holder.current.weightBp, 2000)
  assert.equal(holder.version, 3)
  assert.deepEqual(seen, [2000])
  // Pools survive the swap, so in-flight counts and health carry over.
  assert.equal(holder.current.stable, first.stable)
})

test('the spec\'s shaping is compiled into the table it builds', () => {
  const holder = new TableHolder(spec(1, 0))
  assert.equal(holder.current.shaping.balance, 'random')
  holder.apply({ ...spec(2, 1000), shaping: { ...noShapingSpec, balance: 'exact' } })
  assert.equal(holder.current.shaping.balance, 'exact')
  assert.notEqual(holder.current.exact, null)
})
