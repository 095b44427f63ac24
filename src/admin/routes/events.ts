import type { FastifyInstance } from 'fastify'
import { rampError } from '../../errors.js'
import type { AdminOptions } from '../options.js'
import { eventsSchema } from '../responses.js'
import { historyView, statusView } from '../views.js'

const heartbeatMs = 15_000

/**
 * `GET /api/v1/events`: server-sent events. Each rollout event arrives as `event: rollout`
 * with the history line and the new status; a comment line every 15 s keeps proxies from
 * closing an idle stream. The first message is the current status, so a watcher can draw at
 * once.
 */
export function registerEventRoutes(app: FastifyInstance, opts: AdminOptions): void {
  let open = 0
  app.get('/api/v1/events', { schema: eventsSchema }, (request, reply) => {
    // Each stream holds a socket and a subscription for as long as its client likes: a
    // bounded number, so that clients that never close cannot exhaust the process.
    if (open >= opts.maxEventStreams) {
      void reply.header('retry-after', '5')
      throw rampError('RAMP_ERR_ADMIN_STREAMS_FULL', `${open} event streams are open, the most admin.maxEventStreams allows`)
    }
    open++
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    send('status', statusView(opts.driver.state, opts.driver.table, opts.health()))
    const unsubscribe = opts.driver.subscribe((state, entries) => {
      for (const entry of entries) send('rollout', { entry: historyView(entry), status: statusView(state, opts.driver.table, opts.health()) })
    })
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs)
    let closed = false
    const done = (): void => {
      if (closed) return
      closed = true
      open--
      clearInterval(heartbeat)
      unsubscribe()
    }
    request.raw.once('close', done)
    res.once('error', done)
  })
}
