import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { backends, type DemoBackend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world, type World } from '../../support/world/world.js'

export interface Split {
  w: World
  v1: DemoBackend
  v2: DemoBackend
  /** The same config with `more` added, for a reload. */
  config: (more: string) => string
}

/**
 * v1 stable and v2 as a static split on 2 workers, at weight 0 in the file so that the test
 * sets `weight` through the admin API once v2 is routed: its answer waits for every worker.
 * `access` logs access lines, each naming the worker that served; `more` is more YAML.
 */
export async function split(t: TestContext, weight: number, opts: { access?: boolean; more?: string } = {}): Promise<Split> {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const config = (more: string): string => release({ v1: v1.url, v2: v2.url, weight: 0, more: [`log: { access: ${opts.access === true} }`, more].join('\n') })
  const w = await world(t, { config: config(opts.more ?? ''), workers: 2 })
  await w.routed()
  const set = await w.admin.setWeight(weight)
  assert.equal(set.status, 200, JSON.stringify(set.body))
  return { w, v1, v2, config }
}
