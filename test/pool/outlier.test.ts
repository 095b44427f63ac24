import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ejectionMs, endEjection, freshOutlier, observeOutcome, type Outcome, type OutlierRules } from '../../src/pool/outlier.js'

const rules: OutlierRules = { enabled: true, consecutive5xx: 3, consecutiveConnectFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 3500 }

/** One outcome at `at` ms with `others` other available backends (default 1). */
type Step = [Outcome, number?, number?]

interface Row {
  name: string
  rules?: Partial<OutlierRules>
  steps: Step[]
  verdicts: Array<'ejected' | 'spared' | null>
  after: { consecutive5xx: number; consecutiveConnectFailures: number; ejections: number; ejectedUntil: number | null }
}

const rows: Row[] = [
  {
    name: 'fewer 5xx in a row than the threshold eject nothing',
    steps: [['5xx'], ['5xx']],
    verdicts: [null, null],
    after: { consecutive5xx: 2, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null },
  },
  {
    name: 'consecutive5xx 5xx in a row eject for baseEjectionMs',
    steps: [['5xx', 1, 10], ['5xx', 1, 20], ['5xx', 1, 30]],
    verdicts: [null, null, 'ejected'],
    after: { consecutive5xx: 3, consecutiveConnectFailures: 0, ejections: 1, ejectedUntil: 1030 },
  },
  {
    name: 'a success in between resets the count',
    steps: [['5xx'], ['5xx'], ['success'], ['5xx'], ['5xx']],
    verdicts: [null, null, null, null, null],
    after: { consecutive5xx: 2, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null },
  },
  {
    name: 'consecutiveConnectFailures connect failures eject',
    steps: [['connect', 1, 5], ['connect', 1, 6]],
    verdicts: [null, 'ejected'],
    after: { consecutive5xx: 0, consecutiveConnectFailures: 2, ejections: 1, ejectedUntil: 1006 },
  },
  {
    name: 'a 5xx resets the connect count (the backend took the connection), a connect failure keeps the 5xx count',
    steps: [['connect'], ['5xx'], ['connect'], ['5xx']],
    verdicts: [null, null, null, null],
    after: { consecutive5xx: 2, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null },
  },
  {
    name: 'the last available backend of a version is never ejected, and keeps its count',
    steps: [['5xx', 0], ['5xx', 0], ['5xx', 0], ['5xx', 0]],
    verdicts: [null, null, 'spared', 'spared'],
    after: { consecutive5xx: 4, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null },
  },
  {
    name: 'spared while alone, ejected at the next failure once another backend is back',
    steps: [['connect', 0], ['connect', 0], ['connect', 1, 50]],
    verdicts: [null, 'spared', 'ejected'],
    after: { consecutive5xx: 0, consecutiveConnectFailures: 3, ejections: 1, ejectedUntil: 1050 },
  },
  {
    name: 'outcomes while ejected are not counted',
    steps: [['5xx'], ['5xx'], ['5xx', 1, 0], ['5xx', 1, 10], ['success', 1, 20]],
    verdicts: [null, null, 'ejected', null, null],
    after: { consecutive5xx: 3, consecutiveConnectFailures: 0, ejections: 1, ejectedUntil: 1000 },
  },
  {
    name: 'disabled: nothing is counted',
    rules: { enabled: false },
    steps: [['5xx'], ['5xx'], ['5xx'], ['connect'], ['connect']],
    verdicts: [null, null, null, null, null],
    after: { consecutive5xx: 0, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null },
  },
]

describe('outlier state machine', () => {
  for (const row of rows) {
    test(row.name, () => {
      const r = { ...rules, ...row.rules }
      const s = freshOutlier()
      const verdicts = row.steps.map(([outcome, others = 1, at = 0]) => observeOutcome(s, outcome, r, others, at))
      assert.deepEqual(verdicts, row.verdicts)
      assert.deepEqual({ consecutive5xx: s.consecutive5xx, consecutiveConnectFailures: s.consecutiveConnectFailures, ejections: s.ejections, ejectedUntil: s.ejectedUntil }, row.after)
    })
  }
})

describe('ejection time grows with each ejection, up to the cap', () => {
  const table: Array<[number, number]> = [[1, 1000], [2, 2000], [3, 3000], [4, 3500], [10, 3500]]
  for (const [n, ms] of table) {
    test(`ejection ${n} lasts ${ms} ms (base 1000, cap 3500)`, () => assert.equal(ejectionMs(n, rules), ms))
  }

  test('each ejection of the same backend lasts longer: 1 s, 2 s, 3 s, then the 3.5 s cap', () => {
    const s = freshOutlier()
    const lengths: number[] = []
    let now = 0
    for (let i = 0; i < 5; i++) {
      observeOutcome(s, 'connect', rules, 1, now)
      observeOutcome(s, 'connect', rules, 1, now)
      lengths.push((s.ejectedUntil as number) - now)
      now = s.ejectedUntil as number
      endEjection(s, now)
      assert.deepEqual([s.consecutive5xx, s.consecutiveConnectFailures, s.ejectedUntil], [0, 0, null], 'counting starts afresh after an ejection')
      now += 100
    }
    assert.deepEqual(lengths, [1000, 2000, 3000, 3500, 3500])
    assert.equal(s.ejections, 5)
  })

  test('a backend that stayed in for maxEjectionMs since its return counts from one again', () => {
    const s = freshOutlier()
    for (const at of [0, 0]) observeOutcome(s, 'connect', rules, 1, at)
    endEjection(s, 1000)
    for (const at of [1100, 1100]) observeOutcome(s, 'connect', rules, 1, at)
    assert.equal(s.ejections, 2)
    endEjection(s, 3100)
    const later = 3100 + rules.maxEjectionMs
    for (const at of [later, later]) observeOutcome(s, 'connect', rules, 1, at)
    assert.equal(s.ejections, 1)
    assert.equal(s.ejectedUntil, later + rules.baseEjectionMs)
  })
})
