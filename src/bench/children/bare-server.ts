// A bare Node HTTP server, the floor the startup scenario sets ramp against: what Node itself
// takes to start and to hold while idle. Usage: node children/bare-server.js; prints {"url":"..."}.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exitWithParent } from '../parent.js'

const server = createServer((_req, res) => { res.end('ok') })
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`)
})
exitWithParent(() => new Promise((resolve) => { server.close(() => resolve()) }))
