import type { Dispatcher } from 'undici'
import { grpcStatusOf, GRPC_OK, GRPC_UNIMPLEMENTED, grpcCodes } from '../grpc/status.js'
import { healthCheckRequest, healthCheckStatus, SERVING, servingStatuses } from '../grpc/health-message.js'
import { originsOf } from '../config/backend-url.js'

export interface ProbeOptions {
  path: string
  timeoutMs: number
  dispatcher: Dispatcher
  /** Ask with the gRPC health protocol about this service instead of a GET of `path`. */
  grpc?: { service: string } | undefined
}

/**
 * A probe's answer: the status, or null when no response came, and what to show a person.
 * `passed` is set when the answer is not a status to judge (a gRPC health check's verdict).
 */
export interface ProbeAnswer {
  status: number | null
  detail: string
  passed?: boolean
}

const HEALTH_CHECK = '/grpc.health.v1.Health/Check'

/**
 * One probe of a backend, bounded by `timeoutMs` from start to the end of the body (which is
 * read, so the connection goes back to the pool): a GET of `path`, or with `grpc` the gRPC
 * health check. An `h2c://` backend is probed with the health check of the whole server
 * even without `grpc`, since a gRPC server answers a GET with 415; and there, a server
 * without the health service (UNIMPLEMENTED) passes too: it is up and speaking gRPC, which
 * is all ramp can know of it. Shared by the readiness probe and the active health checks; it
 * never throws.
 */
export async function probeOnce(backend: string, opts: ProbeOptions): Promise<ProbeAnswer> {
  const { origin, grpcOrigin } = originsOf(backend)
  const implicit = opts.grpc === undefined && origin.startsWith('h2c:')
  try {
    if (opts.grpc === undefined && !implicit) {
      const res = await opts.dispatcher.request({ origin, path: opts.path, method: 'GET', ...bounds(opts.timeoutMs) })
      await res.body.dump()
      return { status: res.statusCode, detail: `HTTP ${res.statusCode}` }
    }
    const res = await opts.dispatcher.request({
      origin: grpcOrigin, path: HEALTH_CHECK, method: 'POST',
      headers: { 'content-type': 'application/grpc', te: 'trailers' },
      body: healthCheckRequest(opts.grpc?.service ?? ''),
      ...bounds(opts.timeoutMs),
    })
    const body = Buffer.from(await res.body.arrayBuffer())
    const raw = res.trailers['grpc-status'] ?? res.headers['grpc-status']
    const code = typeof raw === 'string' ? grpcStatusOf(raw) : null
    if (code === null) return { status: res.statusCode, detail: `HTTP ${res.statusCode} without grpc-status`, passed: false }
    if (code !== GRPC_OK) return { status: res.statusCode, detail: `gRPC ${grpcCodes[code] as string}`, passed: implicit && code === GRPC_UNIMPLEMENTED }
    const serving = healthCheckStatus(body)
    const name = serving === null ? 'an unreadable HealthCheckResponse' : servingStatuses[serving] ?? `status ${serving}`
    return { status: res.statusCode, detail: `gRPC health ${name}`, passed: serving === SERVING }
  } catch (err) {
    return { status: null, detail: (err as { code?: string }).code ?? (err as Error).message }
  }
}

const bounds = (ms: number): { headersTimeout: number; bodyTimeout: number; signal: AbortSignal } =>
  ({ headersTimeout: ms, bodyTimeout: ms, signal: AbortSignal.timeout(ms) })
