import { formatDuration } from '../config/duration.js'
import type { Measurement, Range } from './types.js'

/** UTC wall-clock seconds, as the rollout's messages print them: 1700000590000 -> "22:23:10". */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

/**
 * Three significant digits, or every integer digit, and more when fewer would print the value
 * equal to the bound it is compared with: 0.96237 -> "0.962", 12345.6 -> "12346", and
 * 0.98996 against 0.99 -> "0.98996", not "0.99 < 0.99".
 */
export function formatNumber(value: number, bound?: number): string {
  if (!Number.isFinite(value)) return String(value)
  const digits = value === 0 ? 1 : Math.floor(Math.log10(Math.abs(value))) + 1
  for (let p = Math.min(Math.max(3, digits), 17); p < 17; p++) {
    const shown = Number(value.toPrecision(p))
    if (bound === undefined || shown !== bound || value === bound) return String(shown)
  }
  return String(value)
}

/** "0.962 < 0.99", "0.995 >= 0.99", "0.9 <= 0.95 <= 1"; the value against the bound it broke or kept. */
export function comparison(value: number, range: Range): string {
  const { min, max } = range
  if (min !== undefined && value < min) return `${formatNumber(value, min)} < ${min}`
  if (max !== undefined && value > max) return `${formatNumber(value, max)} > ${max}`
  if (min !== undefined && max !== undefined) return `${min} <= ${formatNumber(value)} <= ${max}`
  if (min !== undefined) return `${formatNumber(value, min)} >= ${min}`
  if (max !== undefined) return `${formatNumber(value, max)} <= ${max}`
  return formatNumber(value)
}

/**
 * The one sentence for a measurement, naming its inputs:
 * "success-rate 0.962 < 0.99 over 412 requests, 10s window at 12:03:10",
 * "error-ratio 0.2 > 0.05 at 12:03:10",
 * "success-rate inconclusive: 12 canary requests in the 10s window, fewer than minRequests 50, at 12:03:10".
 * `reason` says why an Inconclusive or Error measurement has no value to compare; `detail`
 * adds what the value alone does not say ("HTTP 503").
 */
export function describeMeasurement(m: Omit<Measurement, 'message'>, reason = '', detail = ''): string {
  const at = utcTime(m.at)
  if (m.value === null || m.phase === 'Inconclusive' || m.phase === 'Error') {
    return `${m.metric} ${m.phase.toLowerCase()}: ${reason}, at ${at}`
  }
  const inputs = m.sampleSize === null
    ? (m.windowMs === null ? '' : ` over a ${formatDuration(m.windowMs)} window`)
    : ` over ${m.sampleSize} requests${m.windowMs === null ? '' : `, ${formatDuration(m.windowMs)} window`}`
  return `${m.metric} ${comparison(m.value, m.range)}${detail === '' ? '' : ` (${detail})`}${inputs} at ${at}`
}
