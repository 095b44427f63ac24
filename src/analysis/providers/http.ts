import { request } from '../../undici-core.js'
import { formatDuration } from '../../config/duration.js'

/** One HTTP exchange of a provider, read to the end so that the connection can be reused. */
export interface HttpCall {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body: string | null
  timeoutMs: number
}

export type HttpAnswer = { ok: true; status: number; text: string } | { ok: false; message: string }

/** A metric is one number; an answer this large is a misconfigured query, not a slow one. */
const maxBodyBytes = 1 << 20

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** Never throws: a failure to connect, a timeout or an oversized answer is a message. */
export async function call(c: HttpCall): Promise<HttpAnswer> {
  try {
    // headersTimeout and bodyTimeout bound each wait for bytes; the signal bounds the whole
    // exchange, so a server trickling one byte at a time cannot hold a measurement past its timeout.
    const res = await request(c.url, {
      method: c.method,
      headers: c.headers,
      body: c.body ?? undefined,
      headersTimeout: c.timeoutMs,
      bodyTimeout: c.timeoutMs,
      signal: AbortSignal.timeout(c.timeoutMs),
    })
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxBodyBytes) return { ok: false, message: `HTTP ${res.statusCode} with a body over ${maxBodyBytes >> 20} MiB` }
      chunks.push(chunk)
    }
    return { ok: true, status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }
  } catch (err) {
    return { ok: false, message: failure(err, c.timeoutMs) }
  }
}

function failure(err: unknown, timeoutMs: number): string {
  const { name, code, message } = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown }
  if (name === 'TimeoutError' || (typeof code === 'string' && timeoutCodes.has(code))) return `no answer within ${formatDuration(timeoutMs)}`
  const text = typeof message === 'string' && message !== '' ? message : String(err)
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text
}

/** The start of a body for a message: `"<html><body>Bad Gateway</body></html>"`. */
export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return JSON.stringify(flat.length > 100 ? `${flat.slice(0, 100)}…` : flat)
}

/** The parsed body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

export const is2xx = (status: number): boolean => status >= 200 && status < 300
