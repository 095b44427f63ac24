// Reading ramp's /metrics text (Prometheus exposition), as Prometheus would.

const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/**
 * The sum of the samples of `name` whose labels include `labels`. A series never touched is
 * absent, so an absent one reads 0; summing lets a test ask for `{listener, version}` across
 * status classes, or for a counter across the processes that each export it.
 */
export function sumOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = sample.exec(line)
    if (m === null || m[1] !== name) continue
    const have = new Map([...(m[2] ?? '').matchAll(label)].map((l) => [l[1], l[2]]))
    if (want.every(([k, v]) => have.get(k) === v)) sum += Number(m[3])
  }
  return sum
}

/** The sample lines of one metric, for failure messages and for matching a series by its text. */
export function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
}
