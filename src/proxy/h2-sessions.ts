import type { Http2Session } from 'node:http2'
import type { FastifyInstance } from 'fastify'

/**
 * Ends every HTTP/2 session when the listener closes. Node 20's server close waits for each
 * open session, and fastify only closes them with `forceCloseConnections: true`, which also
 * destroys busy HTTP/1.1 sockets: without this, one h2 client holding its session open would
 * hold ramp's shutdown. `session.close()` sends GOAWAY: streams in flight finish, no new one
 * starts, then the session ends.
 */
export function closeSessionsOnClose(app: FastifyInstance): void {
  const sessions = new Set<Http2Session>()
  app.server.on('session', (session: Http2Session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })
  app.addHook('preClose', (done) => {
    for (const session of sessions) session.close()
    done()
  })
}
