import type { Registry } from 'prom-client'

/** The longest a read holds the event loop between two yields, in milliseconds. */
const sliceMs = 0.1

const nextTurn = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve) })

/**
 * The registry's text exposition, byte for byte what `registry.metrics()` returns, made one
 * metric at a time with a turn of the event loop whenever a slice of work has taken
 * `sliceMs`. `registry.metrics()` collects and formats every metric in one go (its awaits are
 * microtasks, which never let the loop run), so a read held ramp's loop for as long as the
 * whole read took and every request in flight waited for it; here the proxy's I/O runs
 * between the slices, and the read costs no request more than about a slice.
 */
export async function exposition(registry: Registry): Promise<string> {
  const parts: string[] = []
  let sliceStart = performance.now()
  for (const metric of registry.getMetricsAsArray()) {
    parts.push(await registry.getSingleMetricAsString(metric.name))
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn()
      sliceStart = performance.now()
    }
  }
  return `${parts.join('\n\n')}\n`
}
