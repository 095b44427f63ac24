import { isMapping } from './is-mapping.js'

/**
 * Fields of an Argo Rollouts `strategy:` block that only make sense inside Kubernetes (they
 * move ReplicaSets or mesh objects ramp does not have). A block copied from a Rollout keeps
 * working: these are dropped at load and reported by name, with the reason. `ramp import`
 * goes through the same function, so a pasted strategy and an imported one read the same.
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
  maxUnavailable: 'ramp does not scale replicas',
  scaleDownDelayRevisionLimit: 'ramp does not scale replicas',
  abortScaleDownDelaySeconds: 'ramp does not scale replicas',
  antiAffinity: 'ramp does not schedule pods',
  activeMetadata: 'ramp has no pods to label',
  previewMetadata: 'ramp has no pods to label',
}

export const ignoredStepFields: Record<string, string> = {
  setCanaryScale: 'ramp does not scale replicas; the weight alone moves traffic',
  plugin: 'ramp has no step plugins',
  experiment: 'ramp runs one new version at a time, not experiment ReplicaSets; use an analysis step against the canary instead',
}

/** Fields of an analysis reference (a step's, the background one, blue/green's) that ramp has no use for. */
export const ignoredAnalysisRefFields: Record<string, string> = {
  dryRun: 'ramp has no dry-run metrics; every metric of a template counts',
  measurementRetention: 'ramp keeps the measurements of the current run only',
  analysisRunMetadata: 'ramp has no AnalysisRun objects to label',
}

/**
 * The order Argo's controller carries out the actions of one step: it applies the traffic
 * (weight, then routes) and then waits (analysis, pause), so a step holding several runs
 * as that many ramp steps in this order.
 */
const argoStepOrder = ['setCanaryScale', 'setWeight', 'setHeaderRoute', 'setMirrorRoute', 'experiment', 'analysis', 'pause', 'plugin']
const rank = (key: string): number => (argoStepOrder.includes(key) ? argoStepOrder.indexOf(key) : argoStepOrder.length)


/**
 * Reads an Argo strategy the way Argo does, in place: Kubernetes-only fields are removed,
 * `steps:` left null means no steps, a step with several actions becomes one step per
 * action in Argo's order, and `trafficRouting.maxTrafficWeight` scales every setWeight to a
 * percentage. Returns one line per field dropped or step reshaped, with the reason.
 */
export function dropIgnoredStrategyFields(strategy: unknown, path = 'strategy'): string[] {
  const notes: string[] = []
  if (!isMapping(strategy)) return notes
  const drop = (obj: Record<string, unknown>, table: Record<string, string>, at: string): void => {
    for (const key of Object.keys(obj)) {
      const why = table[key]
      if (why !== undefined) {
        delete obj[key]
        notes.push(`${at}.${key} ignored: ${why}`)
      }
    }
  }
  const dropRef = (ref: unknown, at: string): void => {
    if (!isMapping(ref)) return
    drop(ref, ignoredAnalysisRefFields, at)
    if (!Array.isArray(ref.templates)) return
    ref.templates.forEach((t, i) => {
      if (isMapping(t) && 'clusterScope' in t) {
        delete t.clusterScope
        notes.push(`${at}.templates[${i}].clusterScope ignored: ramp has one set of templates (analysis.templates), not namespaced and cluster ones`)
      }
    })
  }
  const c = strategy.canary
  if (isMapping(c)) {
    const routing = c.trafficRouting
    const maxWeight = isMapping(routing) && typeof routing.maxTrafficWeight === 'number' && routing.maxTrafficWeight > 0 ? routing.maxTrafficWeight : 100
    drop(c, ignoredCanaryFields, `${path}.canary`)
    dropRef(c.analysis, `${path}.canary.analysis`)
    if (c.steps === null) c.steps = []
    if (Array.isArray(c.steps)) c.steps = c.steps.flatMap((step, i) => reshapeStep(step, `${path}.canary.steps[${i}]`, maxWeight, drop, dropRef, notes))
    if (maxWeight !== 100) notes.push(`${path}.canary.trafficRouting.maxTrafficWeight ${maxWeight}: each setWeight is read as parts of ${maxWeight} and written as a percentage, as Argo does (setWeight 20 is ${round2(2000 / maxWeight)}%)`)
  }
  const bg = strategy.blueGreen
  if (isMapping(bg)) {
    drop(bg, ignoredBlueGreenFields, `${path}.blueGreen`)
    dropRef(bg.prePromotionAnalysis, `${path}.blueGreen.prePromotionAnalysis`)
    dropRef(bg.postPromotionAnalysis, `${path}.blueGreen.postPromotionAnalysis`)
  }
  return notes
}

const round2 = (n: number): number => Math.round(n * 100) / 100

function reshapeStep(
  step: unknown,
  at: string,
  maxWeight: number,
  drop: (obj: Record<string, unknown>, table: Record<string, string>, at: string) => void,
  dropRef: (ref: unknown, at: string) => void,
  notes: string[],
): unknown[] {
  if (!isMapping(step)) return [step]
  const emptied = Object.keys(step).length > 0
  drop(step, ignoredStepFields, at)
  dropRef(step.analysis, `${at}.analysis`)
  if (typeof step.setWeight === 'number' && maxWeight !== 100) step.setWeight = round2((step.setWeight * 100) / maxWeight)
  const keys = Object.keys(step).sort((a, b) => rank(a) - rank(b))
  if (keys.length === 0) return emptied ? [] : [step]
  if (keys.length === 1) return [step]
  notes.push(`${at} (${Object.keys(step).join(', ')}) runs as ${keys.length} steps, in the order Argo carries them out: ${keys.join(', then ')}`)
  return keys.map((k) => ({ [k]: step[k] }))
}

/** Fields of a Rollout's `spec:` besides its strategy and deadline, which `ramp import` drops. */
export const ignoredSpecFields: Record<string, string> = {
  replicas: 'ramp does not scale replicas; list the backends in stable and in `ramp deploy`',
  selector: 'ramp routes to backends directly, not to pods',
  template: 'ramp does not run pods; the new version is the backends given to `ramp deploy`',
  workloadRef: 'ramp does not run pods; the new version is the backends given to `ramp deploy`',
  minReadySeconds: 'ramp sends traffic to a backend once its readiness check passes (readiness:), with no extra wait',
  revisionHistoryLimit: 'ramp keeps no ReplicaSets; the state holds the stable and the new version only',
  rollbackWindow: 'ramp keeps one previous version (the stable), not a window of revisions; `ramp abort` sends all traffic back to it',
  paused: 'a ramp rollout starts with `ramp deploy`; pause it with `ramp pause`',
  restartAt: 'ramp does not restart pods',
  analysis: 'the run-history limits are for AnalysisRun objects, which ramp does not keep',
}
