import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { rampError } from '../../errors.js'
import { uiFiles } from '../ui-files.js'

/**
 * The page may load nothing but its own files and talk to nothing but this listener: the
 * browser holds it to that. Inline styles are uPlot's (it sizes its canvas through the style
 * property, which CSP does not govern, and nothing else sets one).
 */
const securityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidated on every load (an upgrade changes them), answered 304 while unchanged.
  'cache-control': 'no-cache',
}

/**
 * `GET /` (the dashboard page) and `GET /ui/<file>` (its script, styles and icon). They need no
 * token, as no read of the admin API does: the page must load to ask for the token, and its
 * files hold nothing but code.
 */
export function registerDashboardRoutes(app: FastifyInstance): void {
  const files = uiFiles()
  const send = (name: string, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const file = files().get(name)
    if (file === undefined) throw rampError('RAMP_ERR_ADMIN_NOT_FOUND', `no dashboard file ${name}`)
    void reply.headers(securityHeaders).header('etag', file.etag)
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.type(file.type).send(file.body)
  }
  app.get('/', { schema: { summary: 'The dashboard: a page to watch and drive the release (docs/dashboard.md).' } }, (request, reply) => send('index.html', request, reply))
  app.get<{ Params: { file: string } }>('/ui/:file', { schema: { hide: true } }, (request, reply) => send(request.params.file, request, reply))
}
