/** One upstream origin of a version. `inflight` is mutable on purpose: the balancer reads it. */
export interface Backend {
  readonly url: string
  /** `http://host:port`, the key undici pools connections by. */
  readonly origin: string
  /** `host:port`, the Host sent when the client's is not preserved. */
  readonly host: string
  readonly version: string
  inflight: number
}

export function createBackend(version: string, url: string): Backend {
  const parsed = new URL(url)
  return { url, origin: parsed.origin, host: parsed.host, version, inflight: 0 }
}
