import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { rampError } from '../errors.js'

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

/** ramp refuses to expose an unauthenticated admin API beyond the machine it runs on. */
export function assertAdminSafe(host: string, token: string | undefined): void {
  if (token === undefined && !isLoopback(host)) {
    throw rampError('RAMP_ERR_ADMIN_INSECURE', `the admin listener binds ${host}, which is not a loopback address, and no admin token is set`)
  }
}
