/** A worker that served this long before it died is restarted at once; one that dies sooner waits longer each time. */
export const stableAfterMs = 10_000
const firstMs = 100
const maxMs = 10_000

/**
 * The wait before a dead worker's replacement starts (`lastMs` the one before, 0 for none):
 * 100 ms for the first and after a worker that had served a while (a one-off crash), else
 * twice the last wait up to 10 s, so a worker that dies as it starts (a bad deploy, a port
 * taken) costs a log line every 10 s, not a fork loop.
 */
export function restartDelayMs(lastMs: number, livedMs: number): number {
  return livedMs >= stableAfterMs || lastMs === 0 ? firstMs : Math.min(lastMs * 2, maxMs)
}
