import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2'
import { cpus } from 'node:os'
import { cpuWindow } from './cpu.js'
import type { Watch } from './load.js'

export interface GrpcLoadSpec {
  label: string
  /** `h2c://host:port` or `http://host:port`: a gRPC server or an h2c listener. */
  url: string
  /** Calls in flight at once, all on one HTTP/2 connection, as a gRPC channel makes them. */
  concurrency: number
  /** Measured seconds, after `warmup` seconds whose calls are not counted. */
  duration: number
  warmup: number
}

/** What a gRPC load measured. Latencies in ms, from a call's start to its trailers. */
export interface GrpcRun {
  label: string
  calls: number
  /** Calls answered during the warm-up, not counted in `calls`. */
  warmupCalls: number
  seconds: number
  rps: number
  p50: number
  p99: number
  /** Calls that ended without grpc-status 0, or whose stream failed. */
  errors: number
  cpu: { target: number; bench: number; others: number } | null
}

/** A unary call's request: one gRPC frame of a 16-byte message (field 1, a 14-byte string). */
const message = Buffer.from([0, 0, 0, 0, 16, 0x0a, 14, ...Buffer.from('ramp bench hi!')])
const headers = { ':method': 'POST', ':path': '/bench.Echo/Say', 'content-type': 'application/grpc', te: 'trailers' }

/**
 * Unary gRPC calls in a closed loop: `concurrency` callers, each sending its next call when
 * the last one's trailers came, for `warmup` then `duration` seconds, over one h2c
 * connection. Like ghz, at the wire level (node:http2), so the shipped bench needs no gRPC
 * library; the CPU of `watch.target` (and its tree) is read over the measured seconds.
 */
export async function runGrpcLoad(spec: GrpcLoadSpec, watch: Watch | null): Promise<GrpcRun> {
  const session = connect(spec.url.replace(/^h2c:/, 'http:'))
  session.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => { session.once('connect', () => resolve()); session.once('error', reject) })
  try {
    const warm = await loop(session, spec.concurrency, spec.warmup * 1000, null)
    const latencies: number[] = []
    const cpu = watch === null ? null : [cpuWindow(watch.target, cpus().length), cpuWindow(watch.bench, cpus().length)] as const
    const started = performance.now()
    const { errors } = await loop(session, spec.concurrency, spec.duration * 1000, latencies)
    const seconds = (performance.now() - started) / 1000
    const [t, b] = cpu === null ? [null, null] : [cpu[0].stop(), cpu[1].stop()]
    latencies.sort((x, y) => x - y)
    const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
    return {
      label: spec.label, calls: latencies.length, warmupCalls: warm.calls, seconds, rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99), errors,
      cpu: t === null || b === null ? null : { target: t.bench, bench: b.bench, others: b.others },
    }
  } finally {
    session.close()
  }
}

/** Calls until `ms` passed; each successful call's latency goes to `latencies` when given. Resolves with the calls made and those that failed. */
async function loop(session: ClientHttp2Session, concurrency: number, ms: number, latencies: number[] | null): Promise<{ calls: number; errors: number }> {
  const end = performance.now() + ms
  let calls = 0
  let errors = 0
  const caller = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now()
      const ok = await call(session)
      calls++
      if (!ok) errors++
      else latencies?.push(performance.now() - start)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller))
  return { calls, errors }
}

function call(session: ClientHttp2Session): Promise<boolean> {
  return new Promise((resolve) => {
    const stream = session.request(headers)
    let status: string | undefined
    const read = (h: IncomingHttpHeaders): void => { status ??= h['grpc-status'] as string | undefined }
    stream.on('response', read)
    stream.on('trailers', read)
    stream.on('data', () => undefined)
    stream.on('close', () => resolve(status === '0' && stream.rstCode === 0))
    stream.end(message)
  })
}
