import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TestContext } from 'node:test'
import { request } from 'undici'
import { serve, type Served } from '../../analysis/serve.js'
import type { Ramp } from '../../../src/ramp.js'

/** A node:http backend on 127.0.0.1 that records every request it sees, closed after the test. */
export async function upstream(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  const s = await serve(handler)
  t.after(() => s.close())
  return s
}

/** A backend that reads the request, then closes the connection without a response. */
export function resetting(t: TestContext): Promise<Served> {
  return upstream(t, (req) => req.socket.destroy())
}

export function answering(t: TestContext, status: number): Promise<Served> {
  return upstream(t, (_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(`${status} from a test backend\n`))
}

/** A config with one version, v1, over these backends. */
export function v1Over(backends: readonly string[], more = ''): string {
  return `listen: { port: 0 }\nstable: { name: v1, backends: ${JSON.stringify(backends)} }\n${more}`
}

export interface Answer { status: number; error: string | undefined; version: string | undefined }

export async function send(ramp: Ramp, opts: Parameters<typeof request>[1] = {}): Promise<Answer> {
  const res = await request(`${ramp.urls.main}/`, opts)
  await res.body.dump()
  const error = res.headers['x-ramp-error']
  const version = res.headers['x-demo-version']
  return { status: res.statusCode, error: typeof error === 'string' ? error : undefined, version: typeof version === 'string' ? version : undefined }
}

/**
 * Sends one request at a time until `met` holds (P2C alternates between two idle backends,
 * so a few requests reach each), and returns every answer.
 */
export async function sendUntil(met: () => boolean, sendOne: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = []
  for (let i = 0; i < 20 && !met(); i++) answers.push(await sendOne())
  if (!met()) throw new Error(`the condition still fails after ${answers.length} requests`)
  return answers
}

/** The sum of `ramp_retries_total` over the series matching `labels`. */
type RetryLabel = 'version' | 'reason' | 'result'

export async function retriesCounted(ramp: Ramp, labels: Partial<Record<RetryLabel, string>> = {}): Promise<number> {
  const { values } = await ramp.metrics.retries.get()
  const wanted = Object.entries(labels) as Array<[RetryLabel, string]>
  return values
    .filter((v) => wanted.every(([k, x]) => v.labels[k] === x))
    .reduce((n, v) => n + v.value, 0)
}

/** Every backend of every routed version has no request in flight (the counts moved with each retry). */
export function nothingInFlight(ramp: Ramp): boolean {
  const { stable, canary } = ramp.tables.current
  return [...stable.backends, ...(canary?.backends ?? [])].every((b) => b.inflight === 0)
}
