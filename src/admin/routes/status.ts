import type { FastifyInstance } from 'fastify'
import { historyView, rolloutView, statusView } from '../views.js'
import type { AdminOptions } from '../options.js'
import { historyResponses, rolloutResponses, statusResponses } from '../responses.js'

export function registerStatusRoutes(app: FastifyInstance, opts: AdminOptions): void {
  app.get('/api/v1/status', { schema: { summary: 'Short status: phase, mode, weight, stable and canary, panic; in a fleet, its instances and leader.', response: statusResponses } }, () => statusView(opts.driver.state, opts.driver.table, opts.health(), opts.fleet?.()))
  app.get('/api/v1/rollout', { schema: { summary: 'The whole rollout state: phase, reason, steps, weight, versions, deadlines, allowed verbs, backend health; in a fleet, its instances and leader.', response: rolloutResponses } }, () => rolloutView(opts.driver.state, opts.driver.table, opts.analysis(), opts.health(), opts.drift(), opts.fleet?.()))
  app.get('/api/v1/rollout/events', { schema: { summary: 'The last 200 rollout events, oldest first.', response: historyResponses } }, () => ({ events: opts.driver.history.map(historyView) }))
}
