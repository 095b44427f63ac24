// The modules of undici's own layout that src/undici-core.ts imports (undici ships types for
// its index only). Each is the value its index re-exports under the same name.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: typeof import('undici').Agent
  export default Agent
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const Dispatcher: typeof import('undici').Dispatcher
  export default Dispatcher
}
declare module 'undici/lib/api/index.js' {
  const api: { request(this: import('undici').Dispatcher, opts: import('undici').Dispatcher.RequestOptions<unknown>): Promise<import('undici').Dispatcher.ResponseData> }
  export default api
}
declare module 'undici/lib/global.js' {
  export function getGlobalDispatcher(): import('undici').Dispatcher
}
