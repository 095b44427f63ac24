import type * as Undici from 'undici'
import AgentClass from 'undici/lib/dispatcher/agent.js'
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js'
import api from 'undici/lib/api/index.js'
import { getGlobalDispatcher } from 'undici/lib/global.js'

/**
 * undici's Agent and Dispatcher classes and its `request`, without the rest of the package.
 * `import ... from 'undici'` runs its index, which loads all of it: fetch, WebSocket,
 * EventSource, the caches, the mocks. At start that was ~140 ms and ~6 MiB of heap here, of
 * which the dispatchers and `request` are ~45 ms and ~3 MiB; ramp's data plane, its health
 * probes and its analysis providers use nothing else. The paths are undici's own module
 * layout (7.x), the files its index re-exports (types: src/types/undici-lib.d.ts);
 * test/undici-core.test.ts holds them to it. `import type` from 'undici' loads nothing.
 */
export const Agent = AgentClass
export const Dispatcher = DispatcherClass

// What undici's index does too: every dispatcher gets `request`, `stream`, `pipeline`,
// `connect` and `upgrade` (the mirror sends its copies with `agent.request`).
Object.assign(Dispatcher.prototype, api)

type RequestOptions = NonNullable<Parameters<typeof Undici.request>[1]>

/** undici's `request(url, options)`, for a string or URL: on `options.dispatcher`, else on undici's global one. */
export function request(url: string | URL, options: RequestOptions = {}): Promise<Undici.Dispatcher.ResponseData> {
  const u = typeof url === 'string' ? new URL(url) : url
  const { dispatcher = getGlobalDispatcher(), ...rest } = options
  return api.request.call(dispatcher, { ...rest, origin: u.origin, path: `${u.pathname}${u.search}`, method: options.method || (options.body ? 'PUT' : 'GET') })
}
