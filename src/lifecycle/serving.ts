import { adminAccess, type AdminAccess } from '../admin/auth.js'
import type { Config } from '../config/load.js'
import type { Logger } from '../log.js'
import type { Certificates } from '../tls/certificates.js'
import { certificatesOf, type ServerName } from '../tls/listeners.js'
import type { DrainReport } from './shutdown.js'

/**
 * What both ways of serving check before they build anything: the admin token (refused on a
 * non-loopback admin without one), the config's warnings, and every listener's certificates.
 */
export function preflight(config: Config, log: Logger, env: NodeJS.ProcessEnv): { access: AdminAccess; certificates: Record<ServerName, Certificates | null> } {
  const access = adminAccess(config.admin, env)
  for (const w of config.warnings) log.warn(w)
  if (config.upstream.tls.insecureSkipVerify) log.warn('upstream.tls.insecureSkipVerify is set: certificates of https backends are not verified, so anyone on the path to a backend can impersonate it')
  return { access, certificates: certificatesOf(config) }
}

export function logListening(log: Logger, urls: { main: string; preview: string | null; admin: string }, fields: Record<string, unknown>, tail = ''): void {
  log.info({ listen: urls, ...fields }, `ramp listening: main ${urls.main}${urls.preview === null ? '' : `, preview ${urls.preview}`}, admin ${urls.admin}${tail}`)
}

/**
 * The stop of a running ramp: every call gets the same drain, and `cutNow` (a second signal)
 * resolves the promise the drain cuts on.
 */
export function stopper(stop: (cutNow: Promise<void>) => Promise<DrainReport>): { close(): Promise<DrainReport>; cutNow(): void } {
  let closing: Promise<DrainReport> | null = null
  const cut = moment()
  return { close: () => (closing ??= stop(cut.reached)), cutNow: () => { cut.mark() } }
}

/** A moment to wait for (the data planes serve, a cut is asked for) and the call that marks it. */
export function moment(): { reached: Promise<void>; mark(): void } {
  let mark = (): void => undefined
  const reached = new Promise<void>((resolve) => { mark = resolve })
  return { reached, mark: () => { mark() } }
}
