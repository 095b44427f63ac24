import Fastify, { type FastifyInstance } from 'fastify'
import { clip, rampError } from '../errors.js'
import { clientGuard } from '../proxy/client-limits.js'
import { transportOptions } from '../tls/transport.js'
import { refusal } from './auth.js'
import { adminCompilers } from './body-validation.js'
import { sendRampError, toRampError } from './errors.js'
import { OpenApiDocument } from './openapi.js'
import { readSchema } from './responses.js'
import type { AdminOptions } from './options.js'
import { registerDashboardRoutes } from './routes/dashboard.js'
import { registerEventRoutes } from './routes/events.js'
import { registerHealthRoutes } from './routes/health.js'
import { registerReloadRoutes } from './routes/reload.js'
import { registerRolloutRoutes } from './routes/rollout.js'
import { registerStatusRoutes } from './routes/status.js'
import { registerTrafficRoutes } from './routes/traffic.js'
import { WeightTimeline } from './weights.js'

/**
 * The admin API: health, metrics, status, the rollout verbs, and the dashboard. Each route file holds only
 * the translation between HTTP and driver events; errors leave through one handler.
 */
export async function createAdmin(opts: AdminOptions): Promise<FastifyInstance> {
  const guard = clientGuard(opts.clients, 'admin', opts.metrics.clientRejections)
  const app = Fastify({
    ...transportOptions(opts.certificates ?? null, false),
    logger: false,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: false,
    forceCloseConnections: true,
    // No schema compiler is loaded or run when ramp starts (see body-validation.ts).
    schemaController: { compilersFactory: adminCompilers },
    ...guard.options,
  })
  guard.install(app)
  const openapi = new OpenApiDocument()
  const methodsByPath = new Map<string, Set<string>>()
  app.addHook('onRoute', (route) => {
    openapi.record(route)
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    const set = methodsByPath.get(route.url) ?? new Set<string>()
    for (const m of methods) set.add(m)
    methodsByPath.set(route.url, set)
  })

  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '/'
    const refused = refusal(opts.access, request.method, path, request.headers.authorization)
    if (refused !== null) return done(refused)
    // Here rather than in the not-found handler, which runs after the body is parsed: a PATCH
    // of a read route was refused for its content type before it was told the method.
    const methods = methodsByPath.get(path)
    if (request.is404 && methods !== undefined && !methods.has(request.method)) {
      void reply.header('allow', [...methods].join(', '))
      return done(rampError('RAMP_ERR_ADMIN_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${clip(path)}; allowed: ${[...methods].join(', ')}`))
    }
    done()
  })

  // A verb without a body (`curl -X POST .../promote`) means "no options": the same as `{}`.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body: string, done) => {
    if (body.trim() === '') return done(null, {})
    try {
      done(null, JSON.parse(body))
    } catch (err) {
      done(rampError('RAMP_ERR_ADMIN_BAD_REQUEST', `the body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {}
    done()
  })

  app.setErrorHandler((err, request, reply) => sendRampError(reply, toRampError(err, request, opts.log)))
  app.setNotFoundHandler((request, reply) => sendRampError(reply, rampError('RAMP_ERR_ADMIN_NOT_FOUND', `no admin route ${request.method} ${clip(request.url.split('?')[0] ?? '/')}`)))

  registerHealthRoutes(app, opts)
  registerStatusRoutes(app, opts)
  registerRolloutRoutes(app, opts)
  registerEventRoutes(app, opts)
  registerReloadRoutes(app, opts)
  const { measurements, now, listeners } = opts.traffic
  registerTrafficRoutes(app, {
    measurements, now, listeners,
    weights: new WeightTimeline(opts.driver, now, measurements.retentionMs),
    versions: () => [opts.driver.state.stable.name, ...(opts.driver.state.canary === null ? [] : [opts.driver.state.canary.name])],
  })
  registerDashboardRoutes(app)
  app.get('/api/v1/openapi.json', { schema: { summary: 'This document (OpenAPI 3.0).', response: readSchema({ type: 'object', additionalProperties: true }) } }, () => openapi.get())
  return app
}
