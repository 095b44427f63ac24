import type { FastifyInstance } from 'fastify'
import { trafficResponses } from '../responses.js'
import { sinceOf, trafficView, type TrafficSource } from '../traffic.js'

export function registerTrafficRoutes(app: FastifyInstance, source: TrafficSource): void {
  app.get<{ Querystring: { since?: string } }>('/api/v1/traffic', {
    schema: { summary: 'Per-second figures of each version on each listener (requests, share, error rate, p50, p99) and the weight, from `since` (epoch ms; default the last five minutes) to the last whole second.', response: trafficResponses },
  }, (request) => trafficView(source, sinceOf(request.query.since, source.now(), source.measurements.retentionMs)))
}
