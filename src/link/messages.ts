import type { SeriesRows } from '../analysis/window.js'
import type { Config } from '../config/load.js'
import type { DrainReport } from '../lifecycle/shutdown.js'
import type { MetricsJson } from '../metrics/sum.js'
import type { HealthView } from '../pool/health-view.js'
import type { RoutingSpec } from '../routing/spec.js'
import type { UpEvent } from './link.js'

/** What the primary sends a worker over IPC. */
export type ToWorker =
  /** The answer to `hello`: everything a worker needs before it accepts a connection. */
  | { ramp: 'init'; config: Config; spec: RoutingSpec; unavailable: string[] }
  | { ramp: 'spec'; spec: RoutingSpec }
  /** A reload's config, with the paths that changed; `seq` counts the reloads. */
  | { ramp: 'reconfigure'; seq: number; config: Config; changed: string[] }
  /** Report now rather than at the next second. */
  | { ramp: 'report' }
  | { ramp: 'drain' }
  /** A second signal: cut what the drain still waits for. */
  | { ramp: 'cut' }

/** What a worker sends the primary. */
export type FromWorker =
  | { ramp: 'hello' }
  | { ramp: 'listening' }
  /** Its listeners could not start (a port in use); it exits after this. */
  | { ramp: 'failed'; message: string; code: string | undefined }
  | { ramp: 'applied'; version: number }
  | { ramp: 'reconfigured'; seq: number }
  | { ramp: 'up'; event: UpEvent }
  /** Every second and on request: the window rows since the last report, the metrics, the health of its pools. */
  | { ramp: 'report'; windows: SeriesRows[]; metrics: MetricsJson; health: HealthView }
  | { ramp: 'drained'; report: DrainReport }

/** ramp's own messages carry a `ramp` tag; anything else on the channel is not ramp's. */
const tagged = (m: unknown): boolean => typeof m === 'object' && m !== null && typeof (m as { ramp?: unknown }).ramp === 'string'
export const isFromWorker = tagged as (m: unknown) => m is FromWorker
export const isToWorker = tagged as (m: unknown) => m is ToWorker
