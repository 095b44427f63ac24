import type { Dispatcher as UndiciDispatcher } from 'undici'
import { Dispatcher } from '../undici-core.js'
import type { UpstreamAgent } from './agent.js'

/**
 * The one upstream dispatcher that the proxy, the mirror and the readiness probe hold. A
 * reload that changes the upstream settings swaps the undici Agent behind it: requests
 * dispatched from then on use the new one, requests already running finish on the old one,
 * which closes once they have (undici's `close()` waits for them). Nothing holding this
 * object has to be told.
 */
export class SwappableAgent extends Dispatcher {
  constructor(private agent: UpstreamAgent) {
    super()
  }

  override dispatch(options: UndiciDispatcher.DispatchOptions, handler: UndiciDispatcher.DispatchHandler): boolean {
    return this.agent.dispatch(options, handler)
  }

  /** Puts `next` in service; resolves once the old agent's requests finished and it closed. */
  swap(next: UpstreamAgent): Promise<void> {
    const old = this.agent
    this.agent = next
    return old.close()
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const closed = this.agent.close()
    if (callback === undefined) return closed
    closed.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b
    const destroyed = this.agent.destroy(typeof a === 'function' ? null : (a ?? null))
    if (callback === undefined) return destroyed
    destroyed.then(callback, callback)
  }
}
