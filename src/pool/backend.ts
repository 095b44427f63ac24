/** One upstream origin of a version. `inflight` is mutable on purpose: the balancer reads it. */
export interface Backend {
  readonly url: string
  /** `http://host:port`, the key undici pools connections by. */
  readonly origin: string
  readonly version: string
  inflight: number
}

export function createBackend(version: string, url: string): Backend {
  return { url, origin: new URL(url).origin, version, inflight: 0 }
}
