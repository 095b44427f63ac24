import type { RoutingSpec } from '../routing/spec.js'

/**
 * The seam between the control plane and the data planes, one direction each way: routing
 * specs go down, events come up. In one process it is a function call
 * (`in-process.ts`); with workers, IPC (`primary.ts`, `worker.ts`).
 */
export interface Link {
  /** Resolves once every data plane in service applied `spec` (or a newer one). */
  publish(spec: RoutingSpec): Promise<void>
  /** Brings the control plane's measurements up to date with every data plane's; absent when they share them. */
  collect?(): Promise<void>
}

/** What a data plane tells the control plane: a version of the table lost its last available backend, or got one back. */
export interface UpEvent {
  type: 'versionHealth'
  version: string
  available: boolean
}
