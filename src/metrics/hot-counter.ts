import type { Counter } from 'prom-client'

/**
 * One series of a prom-client Counter, incremented on the request path. prom-client hashes
 * the labels on every `inc`, a bound child's too (`labels()` only binds them), and returns a
 * fresh object: ~6 µs a request for ramp's two per-request counters (bench --profile). Here an
 * increment adds to a number, and the counter's `collect` (run by prom-client before every
 * read: a scrape, `get()`) hands what accumulated to prom-client, so what it exports is the same.
 */
export class HotCounter {
  private pending = 0

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(): void {
    this.pending++
  }

  /** Hands the increments since the last flush to `counter`. */
  flushInto(counter: Counter): void {
    if (this.pending === 0) return
    counter.inc(this.labels, this.pending)
    this.pending = 0
  }
}

/** The hot series of one counter; pass `collect` as the counter's `collect` option. */
export class HotCounters {
  private readonly all: HotCounter[] = []
  private counter: Counter | null = null

  series(labels: Readonly<Record<string, string>>): HotCounter {
    const c = new HotCounter(labels)
    this.all.push(c)
    return c
  }

  /** The counter this flushes into, once it exists (its own `collect` option names this). */
  of(counter: Counter): Counter {
    this.counter = counter
    return counter
  }

  readonly collect = (): void => {
    const counter = this.counter
    if (counter !== null) for (const c of this.all) c.flushInto(counter)
  }
}
