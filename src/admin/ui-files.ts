import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { rampError } from '../errors.js'

/**
 * The dashboard's files, built into dist/ui/ by `npm run build` (scripts/bundle.ts). This
 * module sits one folder below src/ as it does below dist/ (and dist/bundle/), so the same
 * relative path finds them from the sources, the modules and the bundle.
 */
export const uiFolder = new URL('../../dist/ui/', import.meta.url)

export interface UiFile {
  body: Buffer
  type: string
  etag: string
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * Reads every file of the folder once, at the first request. Only these names are served:
 * a request path is looked up in the map, never joined to a file-system path.
 */
export function uiFiles(folder: URL = uiFolder): () => Map<string, UiFile> {
  let files: Map<string, UiFile> | null = null
  return () => {
    if (files !== null) return files
    let names: string[]
    try {
      names = readdirSync(folder).filter((n) => types[extname(n)] !== undefined)
    } catch (err) {
      throw rampError('RAMP_ERR_ADMIN_DASHBOARD_MISSING', `the dashboard's files are not in ${folder.pathname}: ${(err as Error).message}`, { cause: err })
    }
    files = new Map(names.map((name) => {
      const body = readFileSync(new URL(name, folder))
      return [name, { body, type: types[extname(name)] as string, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }]
    }))
    return files
  }
}
