// The reference proxy: @fastify/http-proxy with its defaults, which is what ramp's data plane
// is built on, so the gap between the two is what ramp's routing, metrics and headers cost.
// Usage: node children/plain-proxy.js <upstream url>; prints {"url":"..."}.
import proxy from '@fastify/http-proxy'
import fastify from 'fastify'
import { exitWithParent } from '../parent.js'

const upstream = process.argv[2]
if (upstream === undefined) {
  process.stderr.write('usage: plain-proxy <upstream url>\n')
  process.exit(2)
}
const app = fastify()
exitWithParent(() => app.close())
await app.register(proxy, { upstream })
const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${JSON.stringify({ url })}\n`)
