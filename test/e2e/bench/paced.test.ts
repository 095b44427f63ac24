import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { test, type TestContext } from 'node:test'
import { paced, pacedPool, type EngineTotals } from '../../../src/bench/paced.js'

/** A backend that notes when each request arrived and answers after `delayMs`. */
async function recorder(t: TestContext, delayMs = 0): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = []
  const server: Server = createServer((_req, res) => {
    arrivals.push(performance.now())
    setTimeout(() => res.end('ok'), delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals }
}

async function run(url: string, rate: number, duration: number, connections: number): Promise<{ totals: EngineTotals; latencies: number[] }> {
  const latencies: number[] = []
  const pool = pacedPool(url, connections)
  const { done } = paced({ url, path: '/', connections, rate, duration }, {
    response: (_status, ms) => { latencies.push(ms) },
    error: () => {},
  }, pool)
  const totals = await done
  await pool.close()
  return { totals, latencies }
}

test('paced: the offered rate is spread over each second, not sent as a burst at its start', async (t) => {
  const b = await recorder(t)
  const { totals } = await run(b.url, 500, 1, 50)
  // Request i is due at i/500 s: 500 due within the second, the first at its start.
  assert.equal(totals.requests, 500)
  assert.equal(totals.errors, 0)
  const start = b.arrivals[0] as number
  const perWindow = new Map<number, number>()
  for (const at of b.arrivals) perWindow.set(Math.floor((at - start) / 200), (perWindow.get(Math.floor((at - start) / 200)) ?? 0) + 1)
  // 100 are due in each 200 ms; a per-second quota (autocannon's rate) would send all 500 in
  // the first. Only the first window is bounded: a loaded machine that stalls this process
  // makes the requests due meanwhile go out together when it runs again, by design (an open
  // loop catches up), which can bunch any later window.
  const first = perWindow.get(0) ?? 0
  assert.ok(first <= 250, `at most 250 of the 500 in the first 200 ms, saw ${first} (${JSON.stringify([...perWindow])})`)
  assert.ok(perWindow.size >= 5, `arrivals span the second: ${perWindow.size} windows of 200 ms`)
})

test('paced: a run shorter than one interval still sends its first request, due at the start', async (t) => {
  const b = await recorder(t)
  const { totals } = await run(b.url, 2, 0.1, 1)
  assert.equal(totals.requests, 1)
  assert.equal(b.arrivals.length, 1)
})

test('paced: a target that falls behind the rate pays for its queue in the latency (no coordinated omission)', async (t) => {
  // One connection and 20 ms per response: 50 responses/s against 100 offered, so the
  // queue grows through the run; each response is timed from when its request was due.
  const b = await recorder(t, 20)
  const { totals, latencies } = await run(b.url, 100, 1, 1)
  assert.equal(totals.errors, 0)
  assert.equal(totals.requests, latencies.length)
  const worst = Math.max(...latencies)
  // The last request is due near 1 s and waits behind ~50 others: ~1 s. Timed from when it
  // was sent, every response would take ~20 ms.
  assert.ok(worst > 500, `the last responses waited for the queue: worst ${worst.toFixed(0)} ms`)
})
