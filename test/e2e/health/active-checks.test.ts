import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { backend, countVersions, rampWith, waitFor } from '../../support/ramp.js'
import { backendState, quickChecks, restart, rolloutOf } from './support.js'

async function metricsText(url: string): Promise<string> {
  const res = await request(`${url}/metrics`)
  return res.body.text()
}

test('a backend that dies is taken out by active checks, and returns when it is started again on the same port', async (t) => {
  const a = await backend(t, { name: 'v1' })
  const b = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${a.url}", "${b.url}"] }
${quickChecks}outlier: { enabled: false }
`)
  assert.match(await metricsText(ramp.urls.admin), new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 1`))

  await b.close()
  await waitFor('b to be taken out', () => backendState(ramp, b.url) === 'unhealthy')
  const view = (await rolloutOf(ramp)).health.versions[0]?.backends.find((x) => x.url === b.url)
  assert.equal(view?.lastCheck?.ok, false)
  assert.equal(view?.lastCheck?.detail, 'ECONNREFUSED')
  assert.ok((view?.consecutiveCheckFailures ?? 0) >= 2)
  const metrics = await metricsText(ramp.urls.admin)
  assert.match(metrics, new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 0`))
  assert.match(metrics, new RegExp(`ramp_backend_up\\{version="v1",backend="${a.url}"\\} 1`))
  // With passive ejection off, only the checks keep requests away from the dead backend.
  assert.deepEqual(await countVersions(ramp.urls.main, 200), { v1: 200 })

  const again = await restart(t, b, 'v1')
  await waitFor('b to be back', () => backendState(ramp, b.url) === 'healthy')
  assert.match(await metricsText(ramp.urls.admin), new RegExp(`ramp_backend_up\\{version="v1",backend="${b.url}"\\} 1`))
  const before = again.served()
  await countVersions(ramp.urls.main, 200)
  assert.ok(again.served() - before >= 50, `the restarted backend served ${again.served() - before} of 200`)
})

test('checks off (the default): a dead backend is still found by passive ejection, its failed tries retried on the other backend', async (t) => {
  const a = await backend(t, { name: 'v1' })
  const b = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${a.url}", "${b.url}"] }
outlier: { consecutiveConnectFailures: 2 }
`)
  await b.close()
  const seen: number[] = []
  for (let i = 0; i < 20; i++) {
    const res = await request(`${ramp.urls.main}/`)
    await res.body.dump()
    seen.push(res.statusCode)
  }
  assert.deepEqual(seen.filter((s) => s !== 200), [], `statuses ${seen.join(' ')}`)
  assert.equal(backendState(ramp, b.url), 'ejected')
  assert.equal(ramp.health.view().activeChecks, false)
})
