import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Measurements } from '../analysis/window.js'
import type { UpstreamReason } from '../upstream-reason.js'
import { rampError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import { pickBackend } from '../pool/p2c.js'
import type { Clock } from '../clock.js'
import type { Listener } from '../routing/types.js'
import type { Chooser } from './choose.js'
import { clientResponseHeaders, upgradeRequestHeaders, upgradeResponseHeaders } from './headers.js'
import { endWithError, responseHead } from './raw-response.js'
import { recordResponse, upstreamFailure } from './record.js'
import { joinSockets } from './tunnel.js'
import type { Tunnels } from './tunnels.js'
import type { ListenerSettings } from './listener-settings.js'
import { requestUpgrade } from './upgrade-upstream.js'
import { noBackendError } from './upstream-errors.js'

export interface UpgradeDeps {
  name: Listener
  choose: Chooser
  tunnels: Tunnels
  metrics: Metrics
  measurements: Measurements
  clock: Clock
  log: Logger
  random: () => number
  /** The config in force, read per upgrade (a reload may change it). */
  settings: () => Pick<ListenerSettings, 'upstream' | 'preserveHost' | 'versionHeader' | 'responseVersionHeader'>
  proto: 'http' | 'https'
}

type Phase = 'handshake' | 'answering' | 'tunnel' | 'done'

/**
 * The listener's 'upgrade' event (any `Upgrade:` request: WebSocket, h2c, anything): a byte
 * tunnel to one backend, not a message-level proxy. The version is chosen once, here, by the
 * same precedence as every request; the backend by P2C, and its in-flight count holds until
 * the tunnel closes. The handshake is counted as a response (101 is 1xx) and its time to the
 * 101 is its duration: a tunnel's lifetime says nothing about the version's latency.
 */
export function upgradeHandler(deps: UpgradeDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { name, metrics, log, tunnels } = deps
  const closeSoon = (socket: Duplex): void => {
    socket.end()
    setTimeout(() => socket.destroy(), tunnels.graceMs).unref()
  }

  return (req, socket, head) => {
    // Node's server has taken its own handlers off the socket: ramp must never crash on it.
    socket.on('error', (err) => log.debug({ err, listener: name }, 'upgrade: client socket error'))
    if (tunnels.closing) {
      endWithError(socket, rampError('RAMP_ERR_LISTENER_CLOSING', `the ${name} listener is shutting down`))
      return closeSoon(socket)
    }
    const start = process.hrtime.bigint()
    const current = deps.settings()
    const choice = deps.choose(req)
    const pool = choice.pool
    const series = metrics.requestSeries(name, pool.name)
    const window = deps.measurements.series(name, pool.name)
    const record = (status: number, reason: UpstreamReason | undefined): void => {
      recordResponse(series, window, status, Number(process.hrtime.bigint() - start) / 1e9, reason, deps.clock.now())
    }
    const withCookie = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders => {
      if (choice.setCookie === null) return headers
      const prior = headers['set-cookie']
      headers['set-cookie'] = prior === undefined ? choice.setCookie : [...(Array.isArray(prior) ? prior : [String(prior)]), choice.setCookie]
      return headers
    }

    const backend = pickBackend(pool, deps.random)
    if (backend === undefined) {
      const { error, reason } = noBackendError(pool.name)
      metrics.upstreamErrors.inc({ version: pool.name, reason })
      record(error.statusCode, reason)
      endWithError(socket, error, withCookie({}))
      return closeSoon(socket)
    }

    backend.inflight++
    let phase: Phase = 'handshake'
    let shutTunnel: (() => void) | null = null
    let upstreamReq: ClientRequest | null = null
    const untrack = tunnels.add(() => {
      if (phase === 'tunnel') return shutTunnel?.()
      if (phase === 'handshake') {
        phase = 'answering'
        upstreamReq?.destroy()
        endWithError(socket, rampError('RAMP_ERR_LISTENER_CLOSING', `the ${name} listener is shutting down`))
      }
      closeSoon(socket)
    })
    const release = (): void => {
      if (phase === 'done') return
      phase = 'done'
      backend.inflight--
      untrack()
    }
    socket.once('close', () => {
      if (phase === 'handshake') {
        upstreamReq?.destroy()
        record(499, undefined)
      }
      if (phase !== 'tunnel') release()
    })

    const headers = upgradeRequestHeaders(req.headers, {
      clientAddress: req.socket.remoteAddress,
      proto: deps.proto,
      host: req.headers.host,
      upstreamHost: backend.host,
      preserveHost: current.preserveHost,
      versionHeader: current.versionHeader,
      version: pool.name,
    })
    upstreamReq = requestUpgrade(backend, req.method ?? 'GET', req.url ?? '/', headers, {
      connectTimeoutMs: current.upstream.connectTimeoutMs,
      headersTimeoutMs: current.upstream.headersTimeoutMs,
      rejectUnauthorized: !current.upstream.tls.insecureSkipVerify,
    }, {
      upgraded(res, upstream, upstreamHead) {
        upstream.on('error', (err) => log.debug({ err, listener: name, version: pool.name, backend: backend.url }, 'upgrade: backend socket error'))
        if (phase !== 'handshake' || !socket.writable) {
          upstream.destroy()
          return
        }
        phase = 'tunnel'
        record(101, undefined)
        upstream.setNoDelay(true)
        socket.write(responseHead(101, res.statusMessage, withCookie(upgradeResponseHeaders(res.headers, current.responseVersionHeader, pool.name))), 'latin1')
        if (upstreamHead.length > 0) socket.write(upstreamHead)
        if (head.length > 0) upstream.write(head)
        const gauge = metrics.tunnelsOpen.labels({ listener: name, version: pool.name })
        gauge.inc()
        shutTunnel = joinSockets(socket, upstream, tunnels.graceMs, () => {
          gauge.dec()
          release()
        })
      },
      answered(res) {
        res.on('error', () => socket.destroy())
        if (phase !== 'handshake') return void res.destroy()
        phase = 'answering'
        record(res.statusCode ?? 502, undefined)
        const out = withCookie(clientResponseHeaders(res.headers, current.responseVersionHeader, pool.name))
        out.connection = 'close'
        socket.write(responseHead(res.statusCode ?? 502, res.statusMessage, out), 'latin1')
        res.once('end', () => closeSoon(socket))
        res.pipe(socket, { end: false })
      },
      failed(err) {
        if (phase !== 'handshake') return
        phase = 'answering'
        const mapped = upstreamFailure(metrics, log, backend, err)
        record(mapped.error.statusCode, mapped.reason)
        endWithError(socket, mapped.error, withCookie({}))
        closeSoon(socket)
      },
    })
  }
}
