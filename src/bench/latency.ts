import { durationMs } from '../config/duration.js'

/**
 * A backend's latency distribution as written on the command line: `fixed:5ms`,
 * `normal:20ms,5ms` (mean, standard deviation; a draw below 0 is 0), `uniform:2ms,8ms`
 * (low, high) or `none`. Returns a function that draws one delay in ms, or a message.
 */
export function latencySampler(spec: string, random: () => number = Math.random): (() => number) | string {
  if (spec === 'none' || spec === '0') return () => 0
  const m = /^(fixed|normal|uniform):([^,]+)(?:,(.+))?$/.exec(spec.trim())
  const bad = `latency "${spec}" is not fixed:<d>, normal:<mean>,<sd>, uniform:<low>,<high> or none (durations like 5ms)`
  if (m === null) return bad
  const [, kind, a, b] = m
  const first = durationMs(a ?? '')
  const second = b === undefined ? undefined : durationMs(b)
  if (first === undefined || (b !== undefined && second === undefined)) return bad
  if (kind === 'fixed') return b === undefined ? () => first : bad
  if (second === undefined) return bad
  if (kind === 'uniform') return second >= first ? () => first + random() * (second - first) : `${bad}: high is below low`
  return () => Math.max(0, first + second * gaussian(random))
}

/** Box-Muller: one standard normal draw from two uniform ones. */
function gaussian(random: () => number): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}
