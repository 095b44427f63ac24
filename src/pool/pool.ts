import { createBackend, isAvailable, type Backend } from './backend.js'

/** The backends of one version. Kept across routing tables so in-flight counts survive a swap. */
export interface VersionPool {
  readonly name: string
  readonly backends: readonly Backend[]
  /**
   * The backends that may take traffic, in `backends` order. Replaced by the health monitor
   * whenever a backend's health changes, so the request path never filters. Empty: the
   * version has no available backend.
   */
  available: readonly Backend[]
  /** Round-robin cursor for the single-candidate case. */
  cursor: number
}

export function createPool(name: string, urls: readonly string[]): VersionPool {
  return poolOf(name, urls.map((u) => createBackend(name, u)))
}

/**
 * Returns the pool for `name` with exactly `urls`, reusing the previous one when nothing
 * changed (so a weight change keeps every counter) and reusing each unchanged backend when
 * the list did change (so in-flight requests are still counted where they run, and a
 * backend keeps its health).
 */
export function reconcilePool(previous: VersionPool | undefined, name: string, urls: readonly string[]): VersionPool {
  if (previous !== undefined && previous.name === name && sameUrls(previous.backends, urls)) return previous
  const old = new Map(previous?.name === name ? previous.backends.map((b) => [b.url, b]) : [])
  return poolOf(name, urls.map((u) => old.get(u) ?? createBackend(name, u)))
}

function poolOf(name: string, backends: Backend[]): VersionPool {
  return { name, backends, available: backends.filter(isAvailable), cursor: 0 }
}

function sameUrls(backends: readonly Backend[], urls: readonly string[]): boolean {
  return backends.length === urls.length && backends.every((b, i) => b.url === urls[i])
}
