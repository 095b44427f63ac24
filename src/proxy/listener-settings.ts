import type { Config } from '../config/load.js'
import type { CurrentConfig } from '../config/current.js'
import { grpcFailureTable } from '../grpc/status.js'
import { retryPolicy, type RetryPolicy } from './retry-policy.js'

/** What the data plane reads of the configuration for each request. */
export interface ListenerSettings {
  /** Lower-cased, as Node keys request headers. */
  readonly versionHeader: string
  /** The header returning the serving version to the client, or null when it is not returned. */
  readonly responseVersionHeader: string | null
  /** Share of requests written to the access log, 0..1. */
  readonly accessRatio: number
  readonly preserveHost: boolean
  readonly limits: Config['limits']
  readonly retry: RetryPolicy
  /**
   * Entries of `rawHeaders` forwarded: Node keeps `clients.maxHeaderCount` fields in
   * `headers` but all of them in `rawHeaders`, and the backend must see what ramp read.
   */
  readonly rawHeaderEntries: number
  /** `upstream`, for the backend side of an upgrade. */
  readonly upstream: Config['upstream']
  /** By gRPC code: true for the codes that make a call a failure (`grpc.errorCodes`). */
  readonly grpcErrorCodes: readonly boolean[]
}

/**
 * The listener's settings of the config in force. A reload puts a new config object in
 * place, so the derived values are computed again once per config, not per request.
 */
export function listenerSettings(config: CurrentConfig): () => ListenerSettings {
  let seen: Config | null = null
  let view: ListenerSettings | null = null
  return () => {
    const c = config.current
    if (c !== seen || view === null) {
      seen = c
      const versionHeader = c.versionHeader.name.toLowerCase()
      view = {
        versionHeader,
        responseVersionHeader: c.versionHeader.response ? versionHeader : null,
        accessRatio: c.log.access === true ? 1 : c.log.access === false ? 0 : c.log.access,
        preserveHost: c.preserveHost,
        limits: c.limits,
        retry: retryPolicy(c.retry, c.grpc.retry),
        rawHeaderEntries: c.clients.maxHeaderCount * 2,
        upstream: c.upstream,
        grpcErrorCodes: grpcFailureTable(c.grpc.errorCodes),
      }
    }
    return view
  }
}
