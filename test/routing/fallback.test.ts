import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { servingVersion, type Servable } from '../../src/routing/fallback.js'

const version = (name: string, available: number): Servable => ({ name, available: { length: available } })

describe('a version with no available backend does not serve', () => {
  const rows: Array<{ name: string; stable: number; canary: number | null; decided: 'stable' | 'canary'; serves: 'stable' | 'canary' }> = [
    { name: 'both up: the decision stands (stable)', stable: 1, canary: 1, decided: 'stable', serves: 'stable' },
    { name: 'both up: the decision stands (canary)', stable: 1, canary: 1, decided: 'canary', serves: 'canary' },
    { name: 'canary down: its requests go to stable', stable: 2, canary: 0, decided: 'canary', serves: 'stable' },
    { name: 'canary down: stable requests stay', stable: 2, canary: 0, decided: 'stable', serves: 'stable' },
    { name: 'stable down: its requests go to the canary', stable: 0, canary: 1, decided: 'stable', serves: 'canary' },
    { name: 'both down (panic): the decision stands', stable: 0, canary: 0, decided: 'canary', serves: 'canary' },
    { name: 'both down (panic): the decision stands, stable', stable: 0, canary: 0, decided: 'stable', serves: 'stable' },
    { name: 'stable down and no canary: stable, there is nothing else (panic)', stable: 0, canary: null, decided: 'stable', serves: 'stable' },
  ]
  for (const row of rows) {
    test(row.name, () => {
      const table = { stable: version('v1', row.stable), canary: row.canary === null ? null : version('v2', row.canary), weightBp: 5000 }
      const decided = row.decided === 'stable' ? table.stable : table.canary as Servable
      assert.equal(servingVersion(table, decided), row.serves === 'stable' ? table.stable : table.canary)
    })
  }
})
