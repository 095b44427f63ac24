import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { open } from '../../support/browser.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { eventually } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

const steps = ['setWeight: 30', 'pause: {}', 'setWeight: 100']

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('the charts draw real data: the served shares match the backends\' own counts within binomial bounds', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps }), workers })
      await w.eventually('Paused', 'CanaryPauseStep')
      const { page, errors, foreign } = await open(t, w.urls.admin)
      await page.locator('#link[data-state="live"]').waitFor()
      const start = { v1: v1.traffic(), v2: v2.traffic() }
      const loadStart = Date.now()
      await w.count(1500)
      const loadEnd = Date.now()
      const served = { v1: v1.traffic() - start.v1, v2: v2.traffic() - start.v2 }

      // Wait until the page has drawn two whole seconds past the load: with workers a second's
      // rows reach the primary about a second late, and the page reads the last seconds again.
      const done = Math.ceil(loadEnd / 1000) * 1000 + 2000
      await eventually('the page to draw two seconds past the load', () => page.locator('#figures-table tbody tr').first().getAttribute('data-at'), (at) => Number(at) >= done, 10_000)
      // The table is the charts' figures as text, newest second first.
      const rows: Array<{ at: number; weight: number; counts: Record<string, number> }> = []
      for (const tr of await page.locator('#figures-table tbody tr').all()) {
        rows.push({ at: Number(await tr.getAttribute('data-at')), weight: Number(await tr.getAttribute('data-weight')), counts: JSON.parse(await tr.getAttribute('data-counts') ?? '{}') as Record<string, number> })
      }
      const sampled = rows.filter((r) => r.at >= Math.floor(loadStart / 1000) * 1000 - 1000)
      const drawn = { v1: sampled.reduce((n, r) => n + (r.counts.v1 ?? 0), 0), v2: sampled.reduce((n, r) => n + (r.counts.v2 ?? 0), 0) }
      const n = drawn.v1 + drawn.v2
      const N = served.v1 + served.v2
      t.diagnostic(`drawn ${JSON.stringify(drawn)} over ${sampled.length} s; the backends counted ${JSON.stringify(served)}`)

      // Every request the backends served is in the seconds drawn, each once.
      assert.equal(n, N, 'the page drew as many requests as the backends served')
      // The share drawn is the share served, within 4 sigma of a binomial over the n drawn.
      const q = served.v2 / N
      const share = drawn.v2 / n
      const bound = 4 * Math.sqrt(q * (1 - q) / n)
      assert.ok(Math.abs(share - q) <= bound, `v2's drawn share ${share.toFixed(4)} is more than 4 sigma (${bound.toFixed(4)}) from the backends' ${q.toFixed(4)}`)
      // And the share served is the weight asked, within the same bounds.
      assert.ok(Math.abs(q - 0.3) <= 4 * Math.sqrt(0.3 * 0.7 / N), `v2 served ${q.toFixed(4)} at weight 30`)
      assert.ok(sampled.filter((r) => (r.counts.v1 ?? 0) + (r.counts.v2 ?? 0) > 0).every((r) => r.weight === 30), 'the weight drawn with the traffic is 30')
      await page.locator('[data-chart="share-main"] canvas').waitFor()
      assert.deepEqual(errors, [])
      assert.deepEqual(foreign, [])
    })
  })
}

test('GET /api/v1/traffic refuses a since that is not epoch milliseconds, naming it', async (t) => {
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: v1.url }) })
  const bad = await w.admin.call('GET', '/api/v1/traffic?since=yesterday')
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error, 'RAMP_ERR_ADMIN_BAD_REQUEST')
  assert.match(String(bad.body.message), /since="yesterday" is not a time in epoch milliseconds/)
  const ok = await w.admin.read<{ from: number; to: number; seconds: unknown[] }>(`/api/v1/traffic?since=${Date.now() - 10_000}`)
  assert.equal(ok.seconds.length, (ok.to - ok.from) / 1000)
})
