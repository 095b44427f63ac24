import type { FastifyInstance } from 'fastify'
import { dropIgnoredStrategyFields } from '../../config/argo-fields.js'
import { formatProblem } from '../../config/problems.js'
import { stepShapingProblems } from '../../config/shaping-semantic.js'
import { rampError } from '../../errors.js'
import { percentToBp } from '../../routing/weight.js'
import { strategyFromConfig } from '../../rollout/strategy-from-config.js'
import type { EngineEvent } from '../../rollout/types.js'
import { startResponses, verbResponses } from '../responses.js'
import { AbortBody, EmptyBody, PromoteBody, StartBody, WeightBody } from '../schemas.js'
import { actorOf, type AdminOptions } from '../options.js'
import { rolloutView } from '../views.js'

const security = [{ bearer: [] }]

export function registerRolloutRoutes(app: FastifyInstance, opts: AdminOptions): void {
  const run = async (event: EngineEvent) => rolloutView(await opts.driver.dispatch(event), opts.driver.table, opts.analysis(), opts.health(), opts.drift())

  // A strategy pasted from an Argo Rollout reads as a config's does, before the strict schema
  // sees it: Kubernetes-only fields dropped (and named in the answer), a step with several
  // actions one step each, in Argo's order.
  const ignored = new WeakMap<object, string[]>()
  app.post<{ Body: StartBody }>('/api/v1/rollout', {
    schema: { summary: 'Start a rollout of a new version (waits for readiness, then runs the strategy).', body: StartBody, response: startResponses, security },
    preValidation: (request, _reply, done) => {
      const body = request.body as { strategy?: unknown } | null | undefined
      if (body !== null && typeof body === 'object') ignored.set(request, dropIgnoredStrategyFields(body.strategy))
      done()
    },
  }, async (request, reply) => {
    const { version, strategy, supersede } = request.body
    const notes = ignored.get(request) ?? []
    if (notes.length > 0) request.log.warn({ ignored: notes }, 'fields of the strategy ramp has no use for were dropped')
    const problems = stepShapingProblems(strategy, 'body.strategy').map(formatProblem)
    if (problems.length > 0) throw rampError('RAMP_ERR_ADMIN_BAD_REQUEST', `invalid request: ${problems.join('; ')}`, { details: { problems } })
    const view = await run({
      type: 'start',
      version: { name: version.name, backends: version.backends },
      ...(strategy === undefined ? {} : { strategy: strategyFromConfig(strategy) ?? undefined }),
      supersede: supersede === true,
      actor: actorOf(request),
    })
    return reply.code(201).send(notes.length > 0 ? { ...view, ignored: notes } : view)
  })

  app.post<{ Body: PromoteBody | undefined }>('/api/v1/rollout/promote', {
    schema: { summary: 'Finish the current pause or step and go on; {"full": true} skips to 100% and finishes.', body: PromoteBody, response: verbResponses, security },
  }, (request) => run({ type: 'promote', full: request.body?.full === true, actor: actorOf(request) }))

  app.post<{ Body: AbortBody | undefined }>('/api/v1/rollout/abort', {
    schema: { summary: 'Send 100% to stable now; phase Aborted.', body: AbortBody, response: verbResponses, security },
  }, (request) => run({ type: 'abort', actor: actorOf(request), ...(request.body?.message === undefined ? {} : { message: request.body.message }) }))

  for (const verb of ['retry', 'pause', 'resume'] as const) {
    const summary = { retry: 'Restart an aborted rollout from step 0.', pause: 'Hold the rollout where it is.', resume: 'Clear a manual pause or manual weight.' }[verb]
    app.post(`/api/v1/rollout/${verb}`, { schema: { summary, body: EmptyBody, response: verbResponses, security } }, (request) => run({ type: verb, actor: actorOf(request) }))
  }

  const setWeight = { schema: { summary: 'Set the canary weight by hand (pauses the rollout at that weight).', body: WeightBody, response: verbResponses, security } }
  const weightHandler = (request: { body: WeightBody; headers: Record<string, unknown> } & Parameters<typeof actorOf>[0]) =>
    run({ type: 'setWeight', weightBp: percentToBp(request.body.weight), actor: actorOf(request) })
  app.put<{ Body: WeightBody }>('/api/v1/rollout/weight', setWeight, weightHandler)
  app.put<{ Body: WeightBody }>('/api/v1/weight', setWeight, weightHandler)
}
