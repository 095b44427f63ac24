import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import type { SelfSigned } from './certs.js'

/** The fixture service (test/fixtures/grpc/echo.proto) and grpc.health.v1, loaded once. */
const protos = ['echo.proto', 'health.proto'].map((f) => fileURLToPath(new URL(`../fixtures/grpc/${f}`, import.meta.url)))
const loaded = grpc.loadPackageDefinition(loadSync(protos, { keepCase: true, enums: String, defaults: true }))
const Echo = (loaded.demo as grpc.GrpcObject).Echo as grpc.ServiceClientConstructor
const Health = (((loaded.grpc as grpc.GrpcObject).health as grpc.GrpcObject).v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor

export interface Msg { text: string; version: string }
export type ServingStatus = 'SERVING' | 'NOT_SERVING'
type Callback<T> = (err: grpc.ServiceError | null, res?: T) => void

/** The fixture's client, typed: one method of each kind. */
export interface EchoClient {
  Say(req: Partial<Msg>, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<Msg>): grpc.ClientUnaryCall
  Watch(req: Partial<Msg>, md: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientReadableStream<Msg>
  Collect(md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<Msg>): grpc.ClientWritableStream<Partial<Msg>>
  Chat(md: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientDuplexStream<Partial<Msg>, Msg>
  close(): void
}

export interface GrpcBackendOptions {
  name: string
  /** Share of unary calls answered UNAVAILABLE (drawn from `random`). */
  unavailableRate?: number
  random?: () => number
  /** Sent as `grpc-retry-pushback-ms` with each UNAVAILABLE answer. */
  pushback?: string
  /** Unary calls answer after this long. */
  delayMs?: number
  /** What grpc.health.v1.Health/Check answers; null: the server has no health service. */
  health?: ServingStatus | null
  /** Serve TLS with this certificate (the URL is then https://). */
  tls?: SelfSigned
  /** grpc-js channel options of the server, such as `grpc.max_concurrent_streams`. */
  serverOptions?: grpc.ServerOptions
}

/** A gRPC server of the fixture service on 127.0.0.1, answering with its name and recording what it saw. */
export interface GrpcBackend {
  /** `h2c://127.0.0.1:PORT`, as a ramp config names it. */
  readonly url: string
  /** `127.0.0.1:PORT`, as a grpc-js client names it. */
  readonly target: string
  readonly name: string
  /** Calls of every kind that reached this server. */
  calls(): number
  /** The metadata of each call, in order. */
  readonly metadata: grpc.Metadata[]
  /** Calls whose client went away before they ended (grpc-js 'cancelled'). */
  cancelled(): number
  /** The most unary calls that were in flight at once on one connection (one peer address). */
  maxInFlightPerConnection(): number
  /** The connections (peer addresses) that calls of any kind came on. */
  connections(): number
  setHealth(status: ServingStatus): void
}

export async function grpcBackend(t: TestContext, opts: GrpcBackendOptions): Promise<GrpcBackend> {
  const { name } = opts
  const random = opts.random ?? Math.random
  let calls = 0
  let cancelled = 0
  let maxInFlight = 0
  const inFlight = new Map<string, number>()
  let health = opts.health === undefined ? 'SERVING' : opts.health
  const metadata: grpc.Metadata[] = []
  const peers = new Set<string>()
  const seen = (call: { metadata: grpc.Metadata; getPeer(): string; on(event: 'cancelled', listener: () => void): unknown }): void => {
    calls++
    metadata.push(call.metadata)
    peers.add(call.getPeer())
    call.on('cancelled', () => { cancelled++ })
  }
  const server = new grpc.Server(opts.serverOptions)
  const unavailableMetadata = (): grpc.Metadata => {
    const md = new grpc.Metadata()
    if (opts.pushback !== undefined) md.set('grpc-retry-pushback-ms', opts.pushback)
    return md
  }
  const trailing = (): grpc.Metadata => {
    const md = new grpc.Metadata()
    md.set('x-served-by', name)
    return md
  }
  server.addService(Echo.service, {
    Say(call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      seen(call)
      const peer = call.getPeer()
      const now = (inFlight.get(peer) ?? 0) + 1
      inFlight.set(peer, now)
      maxInFlight = Math.max(maxInFlight, now)
      const answer = (): void => {
        inFlight.set(peer, (inFlight.get(peer) ?? 1) - 1)
        if (random() < (opts.unavailableRate ?? 0)) cb({ code: grpc.status.UNAVAILABLE, details: `${name} is down`, metadata: unavailableMetadata() })
        else cb(null, { text: call.request.text, version: name }, trailing())
      }
      if (opts.delayMs === undefined) answer()
      else setTimeout(answer, opts.delayMs)
    },
    Watch(call: grpc.ServerWritableStream<Msg, Msg>) {
      seen(call)
      // "forever" streams until the client cancels; a number streams that many messages.
      if (call.request.text === 'forever') {
        const timer = setInterval(() => call.write({ text: 'tick', version: name }), 20)
        call.on('cancelled', () => clearInterval(timer))
        return
      }
      for (let i = 0; i < Number(call.request.text); i++) call.write({ text: String(i), version: name })
      call.end(trailing())
    },
    Collect(call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      seen(call)
      let n = 0
      call.on('data', () => { n++ })
      call.on('end', () => cb(null, { text: String(n), version: name }, trailing()))
    },
    Chat(call: grpc.ServerDuplexStream<Msg, Msg>) {
      seen(call)
      call.on('data', (m: Msg) => call.write({ text: m.text, version: name }))
      call.on('end', () => call.end(trailing()))
    },
  })
  if (opts.health !== null) {
    server.addService(Health.service, {
      Check(_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<{ status: string }>) { cb(null, { status: health as string }) },
    })
  }
  const port = await new Promise<number>((resolve, reject) => {
    const credentials = opts.tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: opts.tls.cert, private_key: opts.tls.key }], false)
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err === null ? resolve(p) : reject(err)))
  })
  t.after(() => new Promise<void>((resolve) => { server.tryShutdown(() => resolve()) }).then(() => server.forceShutdown()))
  return {
    url: `${opts.tls === undefined ? 'h2c' : 'https'}://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    name,
    calls: () => calls,
    metadata,
    cancelled: () => cancelled,
    maxInFlightPerConnection: () => maxInFlight,
    connections: () => peers.size,
    setHealth: (s) => { health = s },
  }
}

/** A grpc-js client of the fixture service to `target` (`host:port`, ramp's listener or a backend), closed after the test; over TLS trusting `ca` when given. */
export function echoClient(t: TestContext, target: string, ca?: Buffer): EchoClient {
  const client = new Echo(target, ca === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(ca)) as unknown as EchoClient
  t.after(() => client.close())
  return client
}

/** The `host:port` of an `http://host:port` URL (a listener's), as grpc-js takes it. */
export const targetOf = (url: string): string => new URL(url).host

export interface Unary {
  msg: Msg | null
  error: grpc.ServiceError | null
  trailers: grpc.Metadata | null
}

/** One unary Say call, settled either way: its answer or its error, and the trailing metadata. `deadlineMs` Infinity sends no deadline. */
export function say(client: EchoClient, text: string, md: Record<string, string> = {}, deadlineMs = 5000): Promise<Unary> {
  const metadata = new grpc.Metadata()
  for (const [k, v] of Object.entries(md)) metadata.set(k, v)
  return new Promise((resolve) => {
    let trailers: grpc.Metadata | null = null
    let result: Pick<Unary, 'msg' | 'error'> | null = null
    const done = (): void => { if (result !== null && trailers !== null) resolve({ ...result, trailers }) }
    const call = client.Say({ text }, metadata, deadlineMs === Infinity ? {} : { deadline: Date.now() + deadlineMs }, (error, msg) => {
      result = { msg: msg ?? null, error }
      // An error carries its trailing metadata itself; no 'status' event may follow it.
      if (error !== null) trailers = error.metadata
      done()
    })
    call.on('status', (s: grpc.StatusObject) => {
      trailers = s.metadata
      done()
    })
  })
}

/** `n` Say calls, `concurrency` at a time, counted by the version that answered (errors by their code name). */
export async function sayMany(client: EchoClient, n: number, md: Record<string, string> = {}, concurrency = 50): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++
      const r = await say(client, 'hi', md)
      const key = r.msg?.version ?? grpc.status[r.error?.code ?? grpc.status.UNKNOWN]
      counts[key] = (counts[key] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return counts
}

export { grpc }
