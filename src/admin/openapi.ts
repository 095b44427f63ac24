import type { RouteOptions } from 'fastify'

/** What the document needs of a route: the same options, replayed on a fastify of its own. */
interface DocumentedRoute { method: RouteOptions['method']; url: string; schema: RouteOptions['schema'] }

const info = {
  openapi: '3.0.3',
  info: { title: 'ramp admin API', version: '1', description: 'Move a release along: status, verbs, events. With a token set, calls that change something need `Authorization: Bearer <token>`; on a non-loopback admin address every call does but /healthz and /readyz (/metrics also takes admin.metricsToken, or is open with admin.metricsPublic). Every error is `{error, message, hint}` (docs/errors.md). A method a path does not have answers 405 with `Allow`; a path not listed here answers 404.' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
} as const

/**
 * The admin API's OpenAPI document, made when it is first asked for. @fastify/swagger collects
 * routes as they are registered, so it would have to load, and take its share of memory, in
 * every ramp that starts, for a document a person reads now and then. Instead the admin
 * server records each route's options here, and the first `GET /api/v1/openapi.json` replays
 * them on a fastify of its own with @fastify/swagger registered first, as the admin server
 * used to be built, and keeps the document it makes.
 */
export class OpenApiDocument {
  private readonly routes: DocumentedRoute[] = []
  private made: Promise<unknown> | null = null

  /** For fastify's `onRoute` hook. fastify's own HEAD twins of GET routes come back on the replay by themselves. */
  record(route: RouteOptions): void {
    if (route.method === 'HEAD' || route.schema?.hide === true) return
    this.routes.push({ method: route.method, url: route.url, schema: route.schema })
  }

  get(): Promise<unknown> {
    return (this.made ??= make(this.routes))
  }
}

async function make(routes: DocumentedRoute[]): Promise<unknown> {
  const [{ default: Fastify }, { default: swagger }] = await Promise.all([import('fastify'), import('@fastify/swagger')])
  const app = Fastify({ logger: false })
  // Nothing is validated or serialized here: no schema is compiled.
  app.setValidatorCompiler(() => () => true)
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  await app.register(swagger, { openapi: info })
  for (const r of routes) app.route({ method: r.method, url: r.url, ...(r.schema === undefined ? {} : { schema: r.schema }), handler: () => null })
  await app.ready()
  const doc = app.swagger()
  await app.close()
  return doc
}
