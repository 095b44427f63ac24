import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import { rampError } from '../errors.js'

/** A listener's `tls` block: absolute paths once the config is loaded. */
export interface TlsFiles {
  cert: string
  key: string
}

export interface Certificates {
  cert: Buffer
  key: Buffer
}

/**
 * Reads a listener's certificate chain and key, and checks each file on its own and then the
 * pair, so that the error names the file at fault: `listen.tls.key: /etc/ramp/key.pem is not
 * a PEM private key (...)`. `at` is the block's path in the config (`listen.tls`).
 */
export function readCertificates(files: TlsFiles, at: string): Certificates {
  const cert = readFile(files.cert, `${at}.cert`)
  const key = readFile(files.key, `${at}.key`)
  check({ cert }, `${at}.cert: ${files.cert} is not a PEM certificate`)
  check({ key }, `${at}.key: ${files.key} is not a PEM private key`)
  check({ cert, key }, `${at}: the key ${files.key} does not belong to the certificate ${files.cert}`)
  return { cert, key }
}

/** A TLS server and where its files are; `setSecureContext` is on every tls.Server (https and h2 alike). */
export interface TlsServer {
  at: string
  files: TlsFiles
  server: { setSecureContext(options: SecureContextOptions): void }
}

/**
 * Reads every server's files again and applies them: all files are read and checked before
 * any server changes, so a bad file leaves every listener on its current certificate.
 * Connections already open keep theirs; new handshakes get the new one. Returns the paths of
 * the blocks reloaded.
 */
export function reloadCertificates(servers: readonly TlsServer[]): string[] {
  const read = servers.map((s) => readCertificates(s.files, s.at))
  servers.forEach((s, i) => s.server.setSecureContext(read[i] as Certificates))
  return servers.map((s) => s.at)
}

function readFile(path: string, at: string): Buffer {
  try {
    return readFileSync(path)
  } catch (cause) {
    const code = (cause as { code?: string }).code
    throw rampError('RAMP_ERR_TLS_FILE', `${at}: cannot read ${path} (${code ?? (cause as Error).message})`, { cause, details: { path } })
  }
}

function check(options: SecureContextOptions, message: string): void {
  try {
    createSecureContext(options)
  } catch (cause) {
    throw rampError('RAMP_ERR_TLS_INVALID', `${message} (${(cause as Error).message})`, { cause })
  }
}
