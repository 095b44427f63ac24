import { formatDuration } from '../config/duration.js'
import type { CanaryStep } from './types.js'

/**
 * How a rollout is said to a person, the same in `ramp status` and on the dashboard: a mark
 * beside each phase and verdict, so that neither depends on colour, and a step in the words
 * of the config.
 */
export const phaseIcons: Record<string, string> = { Healthy: '✔', Progressing: '◌', Paused: '‖', Aborted: '✖', Degraded: '⚠' }

/** The marks of an analysis run's or measurement's phase. */
export const verdictMarks: Record<string, string> = { Successful: '✔', Failed: '✖', Inconclusive: '?', Error: '!', Running: '◌' }

export function describeStep(step: CanaryStep): string {
  if ('setWeight' in step) return `setWeight: ${step.setWeight}`
  if ('setHeaderRoute' in step) return step.setHeaderRoute.match === undefined ? `setHeaderRoute: ${step.setHeaderRoute.name} (remove)` : `setHeaderRoute: ${step.setHeaderRoute.name}`
  if ('setMirrorRoute' in step) return step.setMirrorRoute.match === undefined && step.setMirrorRoute.percentage === undefined ? `setMirrorRoute: ${step.setMirrorRoute.name} (remove)` : `setMirrorRoute: ${step.setMirrorRoute.name}, ${step.setMirrorRoute.percentage ?? 100}%`
  if ('analysis' in step) return `analysis: ${step.analysis.templates.join(', ')}${step.analysis.onFailure === 'pause' ? ' (pause on failure)' : ''}`
  return step.pause.durationMs === undefined ? 'pause: {}' : `pause: ${formatDuration(step.pause.durationMs)}`
}

/** "1m30s left", "due now", or nothing without a deadline. */
export function timeLeft(untilIso: string | null, now: number): string {
  if (untilIso === null) return ''
  const ms = Date.parse(untilIso) - now
  return ms <= 0 ? 'due now' : `${formatDuration(ms)} left`
}
