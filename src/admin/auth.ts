import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { AdminSpec } from '../config/schema.js'
import { rampError, type RampError } from '../errors.js'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/**
 * Checks `Authorization: Bearer <token>`. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths (timingSafeEqual alone throws on a length mismatch,
 * which would leak the token's length).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false
  const m = /^Bearer[ ]+(.+)$/i.exec(header.trim())
  if (m === null) return false
  return timingSafeEqual(digest(m[1] as string), digest(token))
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  const h = host.replace(/^\[|\]$/g, '')
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.')
  return false
}

/** Who may call what on the admin API, fixed at start (admin.host and the tokens need a restart). */
export interface AdminAccess {
  token: string | undefined
  metricsToken: string | undefined
  metricsPublic: boolean
  /** The admin listener binds an address other machines can reach. */
  exposed: boolean
}

/** RAMP_ADMIN_TOKEN over admin.token; refuses an exposed admin listener without a token. */
export function adminAccess(admin: AdminSpec, env: NodeJS.ProcessEnv): AdminAccess {
  const token = env.RAMP_ADMIN_TOKEN !== undefined && env.RAMP_ADMIN_TOKEN !== '' ? env.RAMP_ADMIN_TOKEN : admin.token
  const exposed = !isLoopback(admin.host)
  if (token === undefined && exposed) {
    throw rampError('RAMP_ERR_ADMIN_INSECURE', `the admin listener binds ${admin.host}, which is not a loopback address, and no admin token is set`)
  }
  return { token, metricsToken: admin.metricsToken, metricsPublic: admin.metricsPublic, exposed }
}

/** Probes that a load balancer or an orchestrator sends without credentials. */
const probes = new Set(['/healthz', '/readyz'])
const reads = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The refusal a call gets, or null when it may go on. With a token set, a call that changes
 * something always needs it; on an exposed listener every call does (the views show backend
 * addresses and the history), except the probes, and `/metrics`, which also takes
 * admin.metricsToken (a scraper's own) or is open with admin.metricsPublic.
 */
export function refusal(access: AdminAccess, method: string, path: string, authorization: string | undefined): RampError | null {
  const { token } = access
  if (token === undefined || probes.has(path)) return null
  if (bearerMatches(authorization, token)) return null
  if (path === '/metrics' && reads.has(method)) {
    if (access.metricsPublic) return null
    if (access.metricsToken !== undefined && bearerMatches(authorization, access.metricsToken)) return null
  }
  if (!access.exposed && reads.has(method)) return null
  const why = access.exposed ? `; the admin listener binds an address other machines reach, so reads need it too${path === '/metrics' ? ' (or admin.metricsToken; admin.metricsPublic opens /metrics)' : ''}` : ''
  return rampError('RAMP_ERR_ADMIN_UNAUTHORIZED', `${method} ${path} needs the admin token${why}`)
}
