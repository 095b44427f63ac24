import type { FastifyInstance } from 'fastify'
import { reloadResponses } from '../responses.js'
import { EmptyBody } from '../schemas.js'
import { actorOf, type AdminOptions } from '../options.js'

export function registerReloadRoutes(app: FastifyInstance, opts: AdminOptions): void {
  app.post('/api/v1/reload', {
    schema: {
      summary: 'Re-read the configuration file and apply what changed (as SIGHUP does). An invalid file is refused (400, with its problems) and the running configuration stays in force.',
      body: EmptyBody,
      response: reloadResponses,
      security: [{ bearer: [] }],
    },
  }, (request) => opts.reload(actorOf(request)))
}
