import type { TestContext } from 'node:test'
import { startDemoBackend, type DemoBackend, type DemoBackendOptions } from '../../../src/demo/backend.js'

export type { DemoBackend }

/**
 * A demo backend on 127.0.0.1 (it answers with its version in `x-demo-version`), closed
 * after the test. Its own options shape it: `failRate`, `delayMs`, a seeded `random`...
 */
export async function backend(t: TestContext, opts: Partial<DemoBackendOptions> & { name: string }): Promise<DemoBackend> {
  const b = await startDemoBackend({ color: 'grey', ...opts, host: '127.0.0.1' })
  t.after(() => b.close())
  return b
}

/** One demo backend per name, in order: `const [v1, v2] = await backends(t, 'v1', 'v2')`. */
export async function backends<const Names extends readonly string[]>(t: TestContext, ...names: Names): Promise<{ [K in keyof Names]: DemoBackend }> {
  const out: DemoBackend[] = []
  for (const name of names) out.push(await backend(t, { name }))
  return out as { [K in keyof Names]: DemoBackend }
}

/** The same demo backend started again on the port it had, as a restarted process would be. */
export function restart(t: TestContext, dead: DemoBackend, name: string): Promise<DemoBackend> {
  return backend(t, { name, port: Number(new URL(dead.url).port) })
}
