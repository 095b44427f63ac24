import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Gc = (options: { type: 'minor' | 'major' }) => void

export interface BufferSweepOptions {
  /** External memory (ArrayBuffers' backing stores, mostly) above which a young-generation collection is asked for. */
  thresholdBytes: number
  intervalMs: number
}

/** 8 MiB is ~128 socket reads of 64 KiB; 20 ms is ~2 MiB at 100 MiB/s through ramp. */
export const defaultBufferSweep: BufferSweepOptions = { thresholdBytes: 8 * 1024 * 1024, intervalMs: 20 }

/**
 * A streamed body passes through ramp as a run of 64 KiB buffers that die as soon as they are
 * written. V8 frees their memory only when it collects the objects that own them, and it
 * counts that memory (its "external memory") towards a collection only once it has grown
 * 64 MiB since the last one: a large transfer keeps 30-40 MiB of dead buffers in RSS
 * (docs/architecture.md, Memory). While external memory exceeds the threshold, this asks for
 * a scavenge, which is cheap because those buffers are young and dead; traffic of small
 * bodies stays under it and never pays. The reading is V8's heap statistics, not
 * `process.memoryUsage()`, which also reads the RSS from /proc: under load that took ~0.5 ms
 * a call, 2.7% of ramp's CPU at this interval (bench --profile). Returns the stop function.
 */
export function sweepDeadBuffers(opts: BufferSweepOptions = defaultBufferSweep): () => void {
  let gc: Gc | null = null
  const timer = setInterval(() => {
    if (getHeapStatistics().external_memory <= opts.thresholdBytes) return
    // Exposing gc at run time makes it reachable from a new context only, not as a global that
    // anything else loaded could call. Only on first need: traffic of small bodies never needs
    // a sweep, and an A/B of CPU per request read 10-15% less without the second context and
    // the run-time flag (on a noisy machine; which of the two costs was not isolated).
    if (gc === null) {
      setFlagsFromString('--expose-gc')
      gc = runInNewContext('gc') as Gc
    }
    gc({ type: 'minor' })
  }, opts.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
