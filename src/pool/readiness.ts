import type { Dispatcher } from 'undici'
import { probeOnce } from './probe.js'

export interface ReadinessOptions {
  path: string
  grpc?: { service: string } | undefined
  timeoutMs: number
  intervalMs: number
  dispatcher: Dispatcher
}

export interface ReadinessProbe {
  stop(): void
}

export interface ProbeReport {
  backend: string
  ok: boolean
  detail: string
}

/**
 * Probes every backend of a version each interval until all of them answer the readiness
 * path with 2xx or 3xx (or pass the gRPC health check: see probe.ts) in the same round, then calls `onReady` once and stops. "Ready" means
 * every replica, as Argo waits for a fully available ReplicaSet before shifting traffic.
 */
export function probeReadiness(backends: readonly string[], opts: ReadinessOptions, onReady: () => void, onRound?: (reports: ProbeReport[]) => void): ReadinessProbe {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const round = async (): Promise<void> => {
    const reports = await Promise.all(backends.map((b) => probeOne(b, opts)))
    if (stopped) return
    onRound?.(reports)
    if (reports.every((r) => r.ok)) {
      stopped = true
      onReady()
      return
    }
    timer = setTimeout(() => void round(), opts.intervalMs)
  }
  void round()
  return {
    stop() {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

async function probeOne(backend: string, opts: ReadinessOptions): Promise<ProbeReport> {
  const { status, detail, passed } = await probeOnce(backend, opts)
  return { backend, ok: passed ?? (status !== null && status >= 200 && status < 400), detail }
}
