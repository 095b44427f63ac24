import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

export interface SelfSigned {
  dir: string
  certPath: string
  keyPath: string
  cert: Buffer
  key: Buffer
}

/**
 * A self-signed certificate for 127.0.0.1 made with openssl (EC P-256, made in milliseconds
 * where an RSA key takes up to a second), in a temporary directory removed after the test.
 * Being self-signed, the certificate is its own CA: give it as `ca` (or `curl --cacert`) to
 * trust it. `name` goes in the subject, so two certificates differ.
 */
export function selfSigned(t: TestContext, name = '127.0.0.1'): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-tls-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' })
  return { dir, certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) }
}
