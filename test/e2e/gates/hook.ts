import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

export interface HookCall {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The parsed JSON body; undefined when it was not JSON (then the assertion on it fails loudly). */
  body: Record<string, unknown> | undefined
  /** The status this call was answered with (0: left hanging), so a test can tell refused calls from accepted ones. */
  status: number
  at: number
}

/** A webhook receiver whose answer the test changes while ramp keeps calling it. */
export interface Hook {
  readonly url: string
  readonly calls: HookCall[]
  /** Calls to one path (each webhook of a test gets its own path). */
  to(path: string): HookCall[]
  /**
   * The answer from now on: for `path`, or for every path without its own, after `delayMs`.
   * `hang` never answers, so ramp's call runs into its timeout.
   */
  answer(status: number | 'hang', path?: string, delayMs?: number): void
  /** Stops listening and drops open sockets: from now on ramp's calls are refused. */
  down(): Promise<void>
}

/** Starts a hook on 127.0.0.1, port 0, answering 200 until told otherwise; closed after the test. */
export async function hook(t: TestContext): Promise<Hook> {
  const calls: HookCall[] = []
  type Answer = { status: number | 'hang'; delayMs: number }
  const answers = new Map<string, Answer>()
  let fallback: Answer = { status: 200, delayMs: 0 }
  const server: Server = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => { text += c })
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      const { status, delayMs } = answers.get(path) ?? fallback
      calls.push({ method: req.method ?? '', path, headers: req.headers, body: parse(text), status: status === 'hang' ? 0 : status, at: Date.now() })
      if (status === 'hang') return
      const send = (): void => { res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `no (${status})`) }
      if (delayMs > 0) setTimeout(send, delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | null = null
  const down = (): Promise<void> => (closing ??= new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  t.after(down)
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    to: (path) => calls.filter((c) => c.path === path),
    answer(status, path, delayMs = 0) {
      if (path === undefined) fallback = { status, delayMs }
      else answers.set(path, { status, delayMs })
    },
    down,
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}
