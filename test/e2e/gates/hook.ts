import type { IncomingHttpHeaders } from 'node:http'
import type { TestContext } from 'node:test'
import { recorder, type Seen } from '../../support/world/recorder.js'

export interface HookCall {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The parsed JSON body; undefined when it was not JSON (then the assertion on it fails loudly). */
  body: Record<string, unknown> | undefined
  /** The status this call was answered with (0: left hanging), so a test can tell refused calls from accepted ones. */
  status: number
  /** When it arrived (performance.now()), to order calls. */
  at: number
}

/** A webhook receiver whose answer the test changes while ramp keeps calling it. */
export interface Hook {
  readonly url: string
  /** Calls to one path (each webhook of a test gets its own path), in arrival order. */
  to(path: string): HookCall[]
  /**
   * The answer from now on: for `path`, or for every path without its own, after `delayMs`.
   * `hang` never answers, so ramp's call runs into its timeout.
   */
  answer(status: number | 'hang', path?: string, delayMs?: number): void
  /** Stops listening and drops open sockets: from now on ramp's calls are refused. */
  down(): Promise<void>
}

type Answer = { status: number | 'hang'; delayMs: number }

const pathOf = (url: string): string => url.split('?')[0] ?? '/'

/** A recording backend on 127.0.0.1 answering 200 until told otherwise; closed after the test. */
export async function hook(t: TestContext): Promise<Hook> {
  const answers = new Map<string, Answer>()
  let fallback: Answer = { status: 200, delayMs: 0 }
  const answered = new WeakMap<Seen, number>()
  const rec = await recorder(t, (req, res, seen) => {
    req.on('end', () => {
      const { status, delayMs } = answers.get(pathOf(seen.url)) ?? fallback
      answered.set(seen, status === 'hang' ? 0 : status)
      if (status === 'hang') return
      const send = (): void => { res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `no (${status})`) }
      if (delayMs > 0) setTimeout(send, delayMs)
      else send()
    })
  })
  const call = (s: Seen): HookCall => ({ method: s.method, path: pathOf(s.url), headers: s.headers, body: parse(s.body.toString()), status: answered.get(s) ?? 0, at: s.headAt })
  return {
    url: rec.url,
    to: (path) => rec.arrived().map(call).filter((c) => c.path === path),
    answer(status, path, delayMs = 0) {
      if (path === undefined) fallback = { status, delayMs }
      else answers.set(path, { status, delayMs })
    },
    down: () => rec.close(),
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
