import type { Config } from '../config/load.js'
import { readCertificates, type Certificates, type TlsServer } from './certificates.js'

/** ramp's servers and the config block each one is configured by. */
const blocks = { main: 'listen', preview: 'preview', admin: 'admin' } as const
export type ServerName = keyof typeof blocks

function filesOf(config: Config, name: ServerName): { cert: string; key: string } | undefined {
  return config[blocks[name]]?.tls
}

/** Every TLS server's certificates, read and checked before anything listens; null for a plain one. */
export function certificatesOf(config: Config): Record<ServerName, Certificates | null> {
  const read = (name: ServerName): Certificates | null => {
    const files = filesOf(config, name)
    return files === undefined ? null : readCertificates(files, `${blocks[name]}.tls`)
  }
  return { main: read('main'), preview: read('preview'), admin: read('admin') }
}

/** The running servers that have certificates, for reloadCertificates. */
export function tlsServersOf(config: Config, servers: Partial<Record<ServerName, { server: unknown }>>): TlsServer[] {
  const out: TlsServer[] = []
  for (const name of Object.keys(blocks) as ServerName[]) {
    const files = filesOf(config, name)
    const app = servers[name]
    if (files !== undefined && app !== undefined) out.push({ at: `${blocks[name]}.tls`, files, server: app.server as TlsServer['server'] })
  }
  return out
}
