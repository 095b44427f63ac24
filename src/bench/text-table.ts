import type { TextTable } from './scenario.js'

/** A Markdown table, first column left-aligned and the others right-aligned (they are figures). */
export function renderTable(t: TextTable): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]): string => `| ${widths.map((w, i) => (i === 0 ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [t.title, '', line(t.head), rule, ...t.rows.map(line)].join('\n')
}

