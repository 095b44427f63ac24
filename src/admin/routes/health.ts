import type { FastifyInstance } from 'fastify'
import type { AdminOptions } from '../options.js'
import { healthzResponses, metricsResponses, readyzResponses } from '../responses.js'

export function registerHealthRoutes(app: FastifyInstance, opts: AdminOptions): void {
  app.get('/healthz', { schema: { summary: 'The process is alive.', response: healthzResponses } }, () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { summary: 'The listeners accept traffic (503 while starting or draining).', response: readyzResponses } }, (_req, reply) => {
    const ready = opts.ready()
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' })
  })
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format).', response: metricsResponses } }, async (_req, reply) => {
    const text = await (opts.metricsText?.() ?? opts.metrics.text())
    return reply.type(opts.metrics.registry.contentType).send(text)
  })
}
