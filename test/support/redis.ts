import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { freePort } from './world/ports.js'
import { waitFor } from './world/eventually.js'

export interface RedisServer {
  url: string
  port: number
  /** SIGSTOP: the server keeps its sockets open and answers nothing, as a hung one does. */
  pause(): void
  resume(): void
  stop(): Promise<void>
  /** Starts it again on the same port, empty (nothing is saved). */
  restart(): Promise<void>
}

/**
 * A real redis-server (Debian's package) on a free loopback port, nothing saved to disk,
 * stopped after the test.
 */
/** A test's or a file's `after`: where the server is stopped. */
export interface Cleanup { after(fn: () => Promise<void>): void }

export interface RedisOptions {
  /** `requirepass`: clients must AUTH with it. */
  password?: string
  /** Serves TLS only (`rediss://`), with this certificate, which clients must trust. */
  tls?: { certPath: string; keyPath: string }
}

export async function startRedis(t: Cleanup, opts: RedisOptions = {}): Promise<RedisServer> {
  let child: ChildProcess | null = null
  let port = 0
  const args = (): string[] => [
    ...(opts.tls === undefined
      ? ['--port', String(port)]
      : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.certPath, '--tls-key-file', opts.tls.keyPath, '--tls-ca-cert-file', opts.tls.certPath, '--tls-auth-clients', 'no']),
    ...(opts.password === undefined ? [] : ['--requirepass', opts.password]),
    '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
  ]
  const launch = async (): Promise<void> => {
    child = spawn('redis-server', args(), { stdio: 'ignore' })
    const exited = new Promise<never>((_, reject) => child?.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with ${code}`))))
    await Promise.race([waitFor(`redis-server on port ${port} reachable`, () => reachable(port)), exited])
  }
  // A port found free can be taken before redis-server binds it: try another.
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    try {
      await launch()
      break
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
  const stop = async (): Promise<void> => {
    const c = child
    if (c === null || c.exitCode !== null || c.signalCode !== null) return
    const gone = new Promise((resolve) => c.once('exit', resolve))
    c.kill('SIGCONT')
    c.kill('SIGKILL')
    await gone
  }
  t.after(stop)
  return {
    url: `${opts.tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}/0`,
    port,
    pause: () => { child?.kill('SIGSTOP') },
    resume: () => { child?.kill('SIGCONT') },
    stop,
    restart: async () => { await stop(); await launch() },
  }
}

/** Accepting connections: redis-server listens once it is ready to serve. */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}
