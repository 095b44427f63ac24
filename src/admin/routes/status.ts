import type { FastifyInstance } from 'fastify'
import { historyView, rolloutView, statusView } from '../views.js'
import type { AdminOptions } from '../options.js'

export function registerStatusRoutes(app: FastifyInstance, opts: AdminOptions): void {
  app.get('/api/v1/status', { schema: { summary: 'Short status: phase, mode, weight, stable and canary, panic; in a fleet, its instances and leader.' } }, () => statusView(opts.driver.state, opts.driver.table, opts.health(), opts.fleet?.()))
  app.get('/api/v1/rollout', { schema: { summary: 'The whole rollout state: phase, reason, steps, weight, versions, deadlines, allowed verbs, backend health.' } }, () => rolloutView(opts.driver.state, opts.driver.table, opts.analysis(), opts.health(), opts.fleet?.()))
  app.get('/api/v1/rollout/events', { schema: { summary: 'The last 200 rollout events, oldest first.' } }, () => ({ events: opts.driver.history.map(historyView) }))
}
