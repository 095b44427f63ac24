import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { backend, restart } from '../../support/world/backends.js'
import { quickChecks, release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

test('a backend that dies is taken out by active checks, and returns when it is started again on the same port', async (t) => {
  const a = await backend(t, { name: 'v1' })
  const b = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: `${quickChecks}\noutlier: { enabled: false }` }) })
  assert.match(await w.metrics(), new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 1`))

  await b.close()
  await waitFor('b to be taken out', async () => (await w.admin.backendHealth(b.url))?.state === 'unhealthy')
  const view = await w.admin.backendHealth(b.url)
  assert.equal(view?.lastCheck?.ok, false)
  assert.equal(view?.lastCheck?.detail, 'ECONNREFUSED')
  assert.ok((view?.consecutiveCheckFailures ?? 0) >= 2)
  const metrics = await w.metrics()
  assert.match(metrics, new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 0`))
  assert.match(metrics, new RegExp(`ramp_backend_up\\{version="v1",backend="${a.url}"\\} 1`))
  // With passive ejection off, only the checks keep requests away from the dead backend.
  assert.deepEqual(await w.count(200), { v1: 200 })

  const again = await restart(t, b, 'v1')
  await waitFor('b to be back', async () => (await w.admin.backendHealth(b.url))?.state === 'healthy')
  assert.match(await w.metrics(), new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 1`))
  const before = again.served()
  await w.count(200)
  assert.ok(again.served() - before >= 50, `the restarted backend served ${again.served() - before} of 200`)
})

test('checks off (the default): a dead backend is still found by passive ejection, its failed tries retried on the other backend', async (t) => {
  const a = await backend(t, { name: 'v1' })
  const b = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: 'outlier: { consecutiveConnectFailures: 2 }' }) })
  await b.close()
  const seen: number[] = []
  for (let i = 0; i < 20; i++) {
    const res = await request(`${w.urls.main}/`)
    await res.body.dump()
    seen.push(res.statusCode)
  }
  assert.deepEqual(seen.filter((s) => s !== 200), [], `statuses ${seen.join(' ')}`)
  const health = (await w.rollout()).health
  assert.equal(health.versions.flatMap((v) => v.backends).find((x) => x.url === b.url)?.state, 'ejected')
  assert.equal(health.activeChecks, false)
})
