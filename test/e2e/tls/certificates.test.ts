import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { RampError } from '../../../src/errors.js'
import { readCertificates } from '../../../src/tls/certificates.js'
import { selfSigned } from '../../support/certs.js'

test('readCertificates names the block, the key and the file at fault', (t) => {
  const a = selfSigned(t, 'a')
  const b = selfSigned(t, 'b')
  const junk = join(a.dir, 'junk.pem')
  writeFileSync(junk, 'not PEM')
  const missing = join(a.dir, 'missing.pem')
  const rows = [
    { name: 'a missing certificate', files: { cert: missing, key: a.keyPath }, code: 'RAMP_ERR_TLS_FILE', says: `listen.tls.cert: cannot read ${missing} (ENOENT)` },
    { name: 'a missing key', files: { cert: a.certPath, key: missing }, code: 'RAMP_ERR_TLS_FILE', says: `listen.tls.key: cannot read ${missing} (ENOENT)` },
    { name: 'a certificate that is not PEM', files: { cert: junk, key: a.keyPath }, code: 'RAMP_ERR_TLS_INVALID', says: `listen.tls.cert: ${junk} is not a PEM certificate` },
    { name: 'a key that is not PEM', files: { cert: a.certPath, key: junk }, code: 'RAMP_ERR_TLS_INVALID', says: `listen.tls.key: ${junk} is not a PEM private key` },
    { name: 'the key of another certificate', files: { cert: a.certPath, key: b.keyPath }, code: 'RAMP_ERR_TLS_INVALID', says: `listen.tls: the key ${b.keyPath} does not belong to the certificate ${a.certPath}` },
  ]
  for (const row of rows) {
    assert.throws(() => readCertificates(row.files, 'listen.tls'), (err: RampError) => {
      assert.equal(err.code, row.code, row.name)
      assert.ok(err.message.startsWith(row.says), `${row.name}: ${err.message}`)
      return true
    })
  }
  assert.deepEqual(readCertificates({ cert: a.certPath, key: a.keyPath }, 'listen.tls'), { cert: a.cert, key: a.key })
})
