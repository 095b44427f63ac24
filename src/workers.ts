import { createServer, type Server } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createAdmin } from './admin/server.js'
import { listenersOf } from './admin/traffic.js'
import { Measurements } from './analysis/window.js'
import { systemClock } from './clock.js'
import { CurrentConfig } from './config/current.js'
import type { Config } from './config/load.js'
import { workerCount } from './config/workers.js'
import { startControlPlane } from './control-plane.js'
import { createReloader } from './lifecycle/reload.js'
import { logListening, moment, preflight, stopper } from './lifecycle/serving.js'
import { closeAgent } from './lifecycle/shutdown.js'
import { WorkersLink } from './link/primary.js'
import { sinkOf, type Logger } from './log.js'
import { Metrics } from './metrics/registry.js'
import { createUpstreamAgent } from './proxy/agent.js'
import { serverUrl, urlOf } from './proxy/listener.js'
import { SwappableAgent } from './proxy/swappable-agent.js'
import type { Served } from './ramp.js'
import { storeFromConfig } from './state/factory.js'
import { fleetOf } from './link/fleet/fleet.js'
import { reloadCertificates } from './tls/certificates.js'
import { certificatesOf, tlsServersOf } from './tls/listeners.js'

/**
 * A primary and its workers (node:cluster): the primary runs the control plane and the admin
 * API and no listener of the data plane; each worker runs a data plane on the listening
 * sockets the primary shares. A port of 0 is resolved here first, so that a worker started
 * later binds the same one.
 */
export async function startWorkers(config: Config, opts: { log: Logger; env?: NodeJS.ProcessEnv }): Promise<Served> {
  const env = opts.env ?? process.env
  const { log } = opts
  const { access, certificates } = preflight(config, log, env)
  // `settings` keeps the file's port 0, which a reload compares the file with; the workers
  // get the ports chosen here instead.
  const settings = new CurrentConfig(config)
  const { bound, release } = await portsChosen(config)
  const metrics = new Metrics()
  // The primary's own upstream requests: readiness probes and analysis providers.
  const agent = new SwappableAgent(createUpstreamAgent(config.upstream))
  const store = await storeFromConfig(config, env)
  const fleet = fleetOf(store, log, metrics, config.state.instance)
  const measurements = new Measurements(fleet === null ? {} : { copyTo: fleet.windows.outbox })
  const count = workerCount(config)
  const link = new WorkersLink({ count, log, lines: sinkOf(log), settings: { get current() { return bound(settings.current) } }, measurements, beforeInit: release })

  const serving = moment()
  const control = await startControlPlane({ settings, log, clock: systemClock, metrics, store, agent, measurements, link, fleet, serving: serving.reached })
  let accepting = false
  let draining = false
  let admin: FastifyInstance | null = null
  const reload = createReloader({
    config: settings, driver: control.driver, log, env, draining: () => draining,
    // Read here first, so that a bad file refuses the reload before a worker sees it.
    certificates: (next) => {
      certificatesOf(next)
      if (admin !== null) reloadCertificates(tlsServersOf(next, { admin }))
      return Promise.resolve()
    },
    reshape: () => control.reshape(),
    admin: () => admin?.server ?? null,
    dataPlanes: (next, changed) => link.reconfigure(bound(next), changed),
  })
  admin = await createAdmin({
    driver: control.driver, metrics, log, access, reload,
    ready: () => accepting && link.serving > 0,
    analysis: () => control.analysis(),
    drift: () => control.drift(),
    certificates: certificates.admin,
    health: () => link.healthView(),
    clients: config.clients,
    maxEventStreams: config.admin.maxEventStreams,
    traffic: { measurements, now: () => systemClock.now(), listeners: () => listenersOf(settings.current) },
    metricsText: async () => link.metricsText(await metrics.registry.getMetricsAsJSON()),
    ...(fleet === null ? {} : { fleet: () => fleet.view() }),
  })
  try {
    await admin.listen({ host: config.admin.host, port: config.admin.port })
    await link.start({ get spec() { return control.spec }, unavailable: () => control.driver.state.unavailable ?? [], heard: (e) => control.heard(e) })
  } catch (err) {
    control.close()
    await admin.close()
    await agent.close()
    await fleet?.close()
    await store.close()
    await release()
    throw err
  }
  accepting = true
  serving.mark()
  const c = bound(settings.current)
  const urls = {
    main: urlOf(c.listen.host, c.listen.port, certificates.main !== null),
    preview: c.preview === undefined ? null : urlOf(c.preview.host, c.preview.port, certificates.preview !== null),
    admin: serverUrl(admin.server, certificates.admin !== null),
  }
  logListening(log, urls, { store: store.description, workers: count }, `; ${count} workers`)
  fleet?.start(control.fleet, urls.admin)

  const stop = stopper(async (cutNow) => {
    accepting = false
    draining = true
    const report = await link.drain(cutNow)
    log.info({ drain: report }, `workers drained: ${report.completed} completed, ${report.cut} cut (${report.ended})`)
    control.close()
    await closeAgent(agent, 0)
    await fleet?.close()
    await store.close()
    await admin?.close()
    return report
  })
  return { get config() { return settings.current }, metrics, urls, reload, ...stop }
}

/**
 * Every data listener's port 0 replaced by a free port, chosen once, so that every worker, a
 * restarted one too, binds the same. Listener ports need a restart, so a config in force keeps
 * the ports of the file the process started with. The chosen ports stay bound here until the
 * first worker is about to listen (`release`): a port let go at once can be taken meanwhile, by
 * the local end of any outgoing connection too.
 */
async function portsChosen(config: Config): Promise<{ bound: (c: Config) => Config; release: () => Promise<void> }> {
  const held: Server[] = []
  const hold = (host: string): Promise<number> => new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    // Nothing connects to a port nobody was told of; one that does is refused.
    s.on('connection', (socket) => socket.destroy())
    s.listen({ host, port: 0 }, () => {
      held.push(s.unref())
      resolve((s.address() as { port: number }).port)
    })
  })
  const listen = config.listen.port === 0 ? await hold(config.listen.host) : null
  const preview = config.preview?.port === 0 ? await hold(config.preview.host) : null
  let released: Promise<void> | null = null
  return {
    bound: (c) => ({
      ...c,
      ...(listen === null ? {} : { listen: { ...c.listen, port: listen } }),
      ...(preview === null || c.preview === undefined ? {} : { preview: { ...c.preview, port: preview } }),
    }),
    release: () => (released ??= Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined)),
  }
}
