import { Dispatcher } from '../undici-core.js'

/**
 * A dispatcher whose close and destroy are promises of its own: the callback overloads of
 * undici's interface, written once for the upstream agent and its swappable holder.
 */
export abstract class PromisedDispatcher extends Dispatcher {
  protected abstract closing(): Promise<void>
  protected abstract destroying(err: Error | null): Promise<void>

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const closed = this.closing()
    if (callback === undefined) return closed
    closed.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b
    const destroyed = this.destroying(typeof a === 'function' ? null : (a ?? null))
    if (callback === undefined) return destroyed
    destroyed.then(callback, callback)
  }
}
