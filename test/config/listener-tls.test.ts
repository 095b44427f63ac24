import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig } from '../../src/config/load.js'
import { problems } from './problems.js'

const problemsAt = (yaml: string): string[] => problems(yaml, {}, '/etc/ramp/ramp.yaml')

const stable = 'stable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n'


const rows = [
  { name: 'http2 without tls (h2c with prior knowledge, for gRPC) is accepted on the main listener', yaml: `listen: { port: 8080, http2: true }\n${stable}`, want: [] },
  { name: 'http2 without tls is accepted on the preview listener', yaml: `listen: { port: 8080 }\npreview: { port: 8081, http2: true }\n${stable}`, want: [] },
  { name: 'http2 with tls is accepted', yaml: `listen: { port: 8080, http2: true, tls: { cert: c.pem, key: k.pem } }\n${stable}`, want: [] },
  { name: 'tls needs both files', yaml: `listen: { port: 8080, tls: { cert: c.pem } }\n${stable}`, want: ['listen.tls.key: is required'] },
] as const

for (const row of rows) {
  test(`config: ${row.name}`, () => {
    assert.deepEqual(problemsAt(row.yaml), row.want)
  })
}

test('config: certificate files are relative to the config file, as state.path is', () => {
  const c = parseConfig(`listen: { port: 8080, tls: { cert: certs/main.pem, key: /secrets/main.key } }\nadmin: { tls: { cert: admin.pem, key: admin.key } }\n${stable}`, '/etc/ramp/ramp.yaml', {})
  assert.deepEqual(c.listen.tls, { cert: '/etc/ramp/certs/main.pem', key: '/secrets/main.key' })
  assert.deepEqual(c.admin.tls, { cert: '/etc/ramp/admin.pem', key: '/etc/ramp/admin.key' })
  assert.equal(c.preview, undefined)
})
