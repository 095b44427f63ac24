import type { Dispatcher as UndiciDispatcher } from 'undici'
import type { UpstreamAgent } from './agent.js'
import { PromisedDispatcher } from './promised-dispatcher.js'

/**
 * The one upstream dispatcher that the proxy, the mirror and the readiness probe hold. A
 * reload that changes the upstream settings swaps the undici Agent behind it: requests
 * dispatched from then on use the new one, requests already running finish on the old one,
 * which closes once they have (undici's `close()` waits for them). Nothing holding this
 * object has to be told.
 */
export class SwappableAgent extends PromisedDispatcher {
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

  protected closing(): Promise<void> {
    return this.agent.close()
  }

  protected destroying(err: Error | null): Promise<void> {
    return this.agent.destroy(err)
  }
}
