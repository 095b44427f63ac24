/**
 * Fields of an Argo Rollouts `strategy:` block that only make sense inside Kubernetes (they
 * move ReplicaSets or mesh objects ramp does not have). A block copied from a Rollout keeps
 * working: these are dropped at load and reported by name, with the reason.
 */
export const ignoredCanaryFields: Record<string, string> = {
  canaryService: 'ramp routes to backends directly, not through Services',
  stableService: 'ramp routes to backends directly, not through Services',
  pingPong: 'ramp routes to backends directly, not through Services',
  trafficRouting: 'ramp is the traffic router',
  maxSurge: 'ramp does not scale replicas',
  maxUnavailable: 'ramp does not scale replicas',
  scaleDownDelaySeconds: 'ramp does not scale replicas',
  scaleDownDelayRevisionLimit: 'ramp does not scale replicas',
  abortScaleDownDelaySeconds: 'ramp does not scale replicas',
  dynamicStableScale: 'ramp does not scale replicas',
  minPodsPerReplicaSet: 'ramp does not scale replicas',
  antiAffinity: 'ramp does not schedule pods',
  canaryMetadata: 'ramp has no pods to label',
  stableMetadata: 'ramp has no pods to label',
  replicaProgressThreshold: 'ramp waits for every backend of the new version to be ready',
}

export const ignoredBlueGreenFields: Record<string, string> = {
  activeService: 'ramp routes to backends directly, not through Services',
  previewService: 'ramp serves the preview version on its preview listener',
  previewReplicaCount: 'ramp does not scale replicas',
  scaleDownDelayRevisionLimit: 'ramp does not scale replicas',
  abortScaleDownDelaySeconds: 'ramp does not scale replicas',
  antiAffinity: 'ramp does not schedule pods',
  activeMetadata: 'ramp has no pods to label',
  previewMetadata: 'ramp has no pods to label',
}

export const ignoredStepFields: Record<string, string> = {
  setCanaryScale: 'ramp does not scale replicas; the weight alone moves traffic',
  plugin: 'ramp has no step plugins',
}

/** Removes the Kubernetes-only fields in place and returns one line per field dropped. */
export function dropIgnoredStrategyFields(strategy: unknown, path = 'strategy'): string[] {
  const notes: string[] = []
  if (strategy === null || typeof strategy !== 'object') return notes
  const s = strategy as Record<string, unknown>
  const drop = (obj: Record<string, unknown>, table: Record<string, string>, at: string): void => {
    for (const key of Object.keys(obj)) {
      const why = table[key]
      if (why !== undefined) {
        delete obj[key]
        notes.push(`${at}.${key} ignored: ${why}`)
      }
    }
  }
  const canary = s.canary
  if (canary !== null && typeof canary === 'object') {
    const c = canary as Record<string, unknown>
    drop(c, ignoredCanaryFields, `${path}.canary`)
    if (Array.isArray(c.steps)) {
      const kept: unknown[] = []
      c.steps.forEach((step, i) => {
        if (step !== null && typeof step === 'object') {
          const st = step as Record<string, unknown>
          drop(st, ignoredStepFields, `${path}.canary.steps[${i}]`)
          if (Object.keys(st).length === 0) return
        }
        kept.push(step)
      })
      c.steps = kept
    }
  }
  const bg = s.blueGreen
  if (bg !== null && typeof bg === 'object') drop(bg as Record<string, unknown>, ignoredBlueGreenFields, `${path}.blueGreen`)
  return notes
}
