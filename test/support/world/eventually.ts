export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Reads until `ok` accepts what was read, and returns that. Past the deadline it throws,
 * naming what it waited for and the last thing it read, which is what one debugs from.
 */
export async function eventually<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000, show: (value: T) => string = (v) => JSON.stringify(v)): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen ${show(value)}`)
    await sleep(10)
  }
}

/** Waits until `cond` holds; throws past the deadline. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  await eventually(what, cond, (held) => held, timeoutMs)
}

/** Polls `cond` every 5 ms: true once it holds, false at the deadline, for a test that reports rather than throws. */
export async function within(ms: number, cond: () => boolean): Promise<boolean> {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) return false
    await sleep(5)
  }
  return true
}
