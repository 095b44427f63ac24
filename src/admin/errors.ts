import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ajvProblems, formatProblem } from '../config/problems.js'
import { isRampError, rampError, type RampError } from '../errors.js'
import type { Logger } from '../log.js'

/** Fastify's own client-error codes, as ramp's registry codes. */
const fastifyCodes: Record<string, Parameters<typeof rampError>[0]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'RAMP_ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'RAMP_ERR_ADMIN_BODY_TOO_LARGE',
}

/**
 * The admin API's one error boundary: every failure leaves as `{error, message, hint, ...}`
 * with the status its registry code fixes. A client's mistake is a 4xx with the field named;
 * only a bug in ramp is a 500, and that one is logged.
 */
export function toRampError(err: unknown, request: FastifyRequest, log: Logger): RampError {
  if (isRampError(err)) return err
  const fe = err as FastifyError
  if (Array.isArray(fe.validation)) {
    const context = fe.validationContext ?? 'body'
    const data = context === 'body' ? request.body : context === 'params' ? request.params : context === 'querystring' ? request.query : request.headers
    const problems = ajvProblems(fe.validation as Parameters<typeof ajvProblems>[0], data)
      .map((p) => formatProblem({ path: p.path === '' ? context : `${context}.${p.path}`, message: p.message }))
    return rampError('RAMP_ERR_ADMIN_BAD_REQUEST', `invalid request: ${problems.join('; ')}`, { details: { problems } })
  }
  const mapped = fe.code !== undefined ? fastifyCodes[fe.code] : undefined
  if (mapped !== undefined) return rampError(mapped, fe.message, { cause: err })
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return rampError('RAMP_ERR_ADMIN_BAD_REQUEST', fe.message, { cause: err })
  }
  log.error({ err, url: request.url, method: request.method }, 'admin request failed inside ramp')
  return rampError('RAMP_ERR_INTERNAL', 'internal error; see the ramp log', { cause: err })
}

export function sendRampError(reply: FastifyReply, err: RampError): FastifyReply {
  if (err.code === 'RAMP_ERR_ADMIN_UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer realm="ramp"')
  return reply.code(err.statusCode).type('application/json; charset=utf-8').send(err.toJSON())
}
