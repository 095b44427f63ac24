/// <reference lib="webworker" />
// The admin API's event stream, read in a worker and handed to the page. In the page itself an
// open stream counts as a request that never ends, which holds forever whatever waits for the
// page's network to settle (headless Chromium's --virtual-time-budget, --dump-dom and
// --screenshot among them); a worker's requests do not.
export type StreamMessage = { type: 'open' } | { type: 'error' } | { type: 'rollout'; data: string }

const scope = self as unknown as DedicatedWorkerGlobalScope
let source: EventSource | null = null

scope.addEventListener('message', () => {
  source?.close()
  const s = new EventSource('/api/v1/events')
  source = s
  const post = (m: StreamMessage): void => { if (source === s) scope.postMessage(m) }
  s.addEventListener('open', () => { post({ type: 'open' }) })
  s.addEventListener('error', () => { post({ type: 'error' }) })
  s.addEventListener('rollout', (e) => { post({ type: 'rollout', data: (e as MessageEvent<string>).data }) })
})
