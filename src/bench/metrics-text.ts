/**
 * The value of an unlabelled sample in Prometheus text exposition, e.g.
 * `ramp_process_resident_memory_bytes 123`, or null when it is missing.
 */
export function metricValue(text: string, name: string): number | null {
  const at = text.search(new RegExp(`^${name} `, 'm'))
  if (at < 0) return null
  const end = text.indexOf('\n', at)
  const line = text.slice(at, end < 0 ? undefined : end)
  const value = Number(line.slice(name.length + 1).trim().split(' ')[0])
  return Number.isFinite(value) ? value : null
}
