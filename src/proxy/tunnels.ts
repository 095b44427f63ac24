/**
 * Every upgrade of this process, from its handshake to the close of its tunnel, so that a
 * shutdown can close them: an open tunnel would otherwise hold its listener's close forever
 * (Node's server waits for every socket it accepted, upgraded ones included).
 */
export class Tunnels {
  private readonly open = new Set<() => void>()
  private waiting: Array<() => void> = []
  private shuttingDown = false

  /** How long a side that was ended may take to close before it is destroyed. */
  constructor(readonly graceMs = 1000) {}

  /** True once closeAll was called: new upgrades are refused from then on. */
  get closing(): boolean {
    return this.shuttingDown
  }

  get size(): number {
    return this.open.size
  }

  /** Registers an upgrade with the function that closes it; call the returned function once it has closed. */
  add(close: () => void): () => void {
    this.open.add(close)
    return () => {
      if (!this.open.delete(close) || this.open.size > 0) return
      const waiting = this.waiting
      this.waiting = []
      for (const resolve of waiting) resolve()
    }
  }

  /** Closes every handshake and tunnel; resolves once all of them have closed (at most one grace later). */
  closeAll(): Promise<void> {
    this.shuttingDown = true
    if (this.open.size === 0) return Promise.resolve()
    const done = new Promise<void>((resolve) => this.waiting.push(resolve))
    for (const close of [...this.open]) close()
    return done
  }
}
