import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { afterCheck, freshCheck, statusAccepter, type CheckState } from '../../src/pool/active-check.js'
import { startChecker } from '../../src/pool/checker.js'
import type { ProbeAnswer } from '../../src/pool/probe.js'
import { manualClock } from '../support/manual-clock.js'

const thresholds = { healthyThreshold: 2, unhealthyThreshold: 3 }

/** Checks in order ("+" passed, "-" failed), and whether the backend is healthy after each. */
const rows: Array<{ name: string; checks: string; healthy: string }> = [
  { name: 'starts healthy and stays so while checks pass', checks: '+++', healthy: 'yyy' },
  { name: 'unhealthyThreshold failures in a row take it out', checks: '---', healthy: 'yyn' },
  { name: 'a pass between failures resets the count', checks: '--+--', healthy: 'yyyyy' },
  { name: 'healthyThreshold passes in a row bring it back', checks: '---++', healthy: 'yynny' },
  { name: 'a failure between passes resets the count', checks: '---+-++', healthy: 'yynnnny' },
  { name: 'out again after coming back takes unhealthyThreshold failures anew', checks: '---++--+---', healthy: 'yynnyyyyyyn' },
]

describe('active check thresholds', () => {
  for (const row of rows) {
    test(row.name, () => {
      let s: CheckState = freshCheck
      const seen = [...row.checks].map((c) => {
        s = afterCheck(s, c === '+', thresholds)
        return s.healthy ? 'y' : 'n'
      }).join('')
      assert.equal(seen, row.healthy)
    })
  }

  const statuses: Array<[string, number, boolean]> = [
    ['200', 200, true], ['200', 204, false], ['200-399', 200, true], ['200-399', 302, true], ['200-399', 399, true],
    ['200-399', 400, false], ['200-399', 199, false], ['503', 503, true],
  ]
  for (const [expected, status, ok] of statuses) {
    test(`expectedStatus ${expected} ${ok ? 'accepts' : 'refuses'} ${status}`, () => assert.equal(statusAccepter(expected)(status), ok))
  }
})

describe('checker schedule', () => {
  /** A probe that answers when told, so the test decides when each check ends. */
  function controlledProbe() {
    const pending: Array<(a: ProbeAnswer) => void> = []
    return {
      pending,
      probe: () => new Promise<ProbeAnswer>((resolve) => pending.push(resolve)),
    }
  }
  const settle = () => new Promise<void>((r) => setImmediate(r))

  test('the first check comes within the jitter of one interval, the next one an interval (plus jitter) after the answer', async () => {
    const clock = manualClock()
    const p = controlledProbe()
    const results: ProbeAnswer[] = []
    // random() = 0.5: first check at 1000 * 0.2 * 0.5 = 100 ms, then every 1000 * (1 + 0.2 * 0.5) = 1100 ms.
    const checker = startChecker({ clock, random: () => 0.5, intervalMs: 1000, jitter: 0.2, probe: p.probe, onResult: (a) => results.push(a) })
    clock.advance(99)
    assert.equal(p.pending.length, 0)
    clock.advance(1)
    assert.equal(p.pending.length, 1)
    // A slow answer: no second check while the first is out.
    clock.advance(5000)
    assert.equal(p.pending.length, 1)
    p.pending[0]?.({ status: 200, detail: 'HTTP 200' })
    await settle()
    assert.deepEqual(results, [{ status: 200, detail: 'HTTP 200' }])
    clock.advance(1099)
    assert.equal(p.pending.length, 1)
    clock.advance(1)
    assert.equal(p.pending.length, 2)
    checker.stop()
  })

  test('a stopped checker reports nothing more and schedules nothing', async () => {
    const clock = manualClock()
    const p = controlledProbe()
    const results: ProbeAnswer[] = []
    const checker = startChecker({ clock, random: () => 0, intervalMs: 100, jitter: 0, probe: p.probe, onResult: (a) => results.push(a) })
    clock.advance(0)
    assert.equal(p.pending.length, 1)
    checker.stop()
    p.pending[0]?.({ status: null, detail: 'ECONNREFUSED' })
    await settle()
    clock.advance(10_000)
    assert.deepEqual(results, [])
    assert.equal(p.pending.length, 1)
  })
})
