import { createBackend, type Backend } from './backend.js'

/** The backends of one version. Kept across routing tables so in-flight counts survive a swap. */
export interface VersionPool {
  readonly name: string
  readonly backends: readonly Backend[]
  /** Round-robin cursor for the single-candidate case. */
  cursor: number
}

export function createPool(name: string, urls: readonly string[]): VersionPool {
  return { name, backends: urls.map((u) => createBackend(name, u)), cursor: 0 }
}

/**
 * Returns the pool for `name` with exactly `urls`, reusing the previous one when nothing
 * changed (so a weight change keeps every counter) and reusing each unchanged backend when
 * the list did change (so in-flight requests are still counted where they run).
 */
export function reconcilePool(previous: VersionPool | undefined, name: string, urls: readonly string[]): VersionPool {
  if (previous !== undefined && previous.name === name && sameUrls(previous.backends, urls)) return previous
  const old = new Map(previous?.name === name ? previous.backends.map((b) => [b.url, b]) : [])
  return { name, backends: urls.map((u) => old.get(u) ?? createBackend(name, u)), cursor: 0 }
}

function sameUrls(backends: readonly Backend[], urls: readonly string[]): boolean {
  return backends.length === urls.length && backends.every((b, i) => b.url === urls[i])
}
