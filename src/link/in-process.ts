import type { RoutingSpec } from '../routing/spec.js'
import type { Link } from './link.js'

/**
 * The link of a single process: a spec is applied by the one data plane in the same call. The
 * control plane publishes its first specs while it starts, before the data plane exists; the
 * data plane is then built from the last of them and attached.
 */
export class InProcessLink implements Link {
  private target: ((spec: RoutingSpec) => void) | null = null

  publish(spec: RoutingSpec): Promise<void> {
    this.target?.(spec)
    return Promise.resolve()
  }

  attach(apply: (spec: RoutingSpec) => void): void {
    this.target = apply
  }
}
