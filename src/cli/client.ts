import { userInfo } from 'node:os'
import { request } from 'undici'
import { CliExit, exitCode } from './exit.js'

export interface AdminTarget {
  url: string
  token: string | undefined
}

export function adminTarget(opts: { admin?: string }, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const url = opts.admin ?? env.RAMP_ADMIN_URL ?? 'http://127.0.0.1:9191'
  let protocol: string
  try {
    protocol = new URL(url).protocol
  } catch {
    protocol = ''
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new CliExit(exitCode.usage, `--admin ${JSON.stringify(url)} is not an http(s) URL (e.g. http://127.0.0.1:9191)`)
  const token = env.RAMP_ADMIN_TOKEN
  return { url: url.replace(/\/+$/, ''), token: token === undefined || token === '' ? undefined : token }
}

function actor(): string {
  try {
    const name = userInfo().username.replace(/[^\w.@-]/g, '').slice(0, 64)
    return name === '' ? 'cli' : name
  } catch {
    return 'cli'
  }
}

interface ErrorBody { error?: string; message?: string; hint?: string; allowed?: string[]; phase?: string }

/** The admin API refused a call; `code` is its RAMP_ERR_* code, when it sent one. */
export class AdminRefusal extends CliExit {
  constructor(message: string, readonly code: string | undefined) {
    super(exitCode.refused, message)
  }
}

/** Calls the admin API; a refusal becomes an AdminRefusal (exit 1) carrying the server's message. */
export async function callAdmin<T>(target: AdminTarget, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-ramp-actor': actor() }
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res
  try {
    res = await request(`${target.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 })
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message
    throw new CliExit(exitCode.refused, `cannot reach the ramp admin API at ${target.url} (${code}); is ramp running? set --admin or RAMP_ADMIN_URL`)
  }
  const text = await res.body.text()
  let parsed: unknown
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (res.statusCode >= 400) {
    const e = (parsed ?? {}) as ErrorBody
    const lines = [`ramp refused ${method} ${path} (${res.statusCode} ${e.error ?? ''}): ${e.message ?? text}`.trim()]
    if (e.allowed !== undefined) lines.push(`allowed in phase ${e.phase ?? '?'}: ${e.allowed.join(', ') || 'none'}`)
    if (e.hint !== undefined) lines.push(`hint: ${e.hint}`)
    throw new AdminRefusal(lines.join('\n'), e.error)
  }
  return parsed as T
}
