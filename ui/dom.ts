type Child = Node | string | null | undefined | false

/** An element with attributes (`class`, `data-*`, `aria-*`...) and children; text is never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v)
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c)
  return e
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id)
  if (e === null) throw new Error(`the page has no #${id}`)
  return e as T
}

export function fill(parent: HTMLElement, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false))
}

/** "12:03:04", in the browser's time zone. */
export function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

/** 0.1234 -> "12.3%", null -> "–". */
export function percent(x: number | null, digits = 1): string {
  return x === null ? '–' : `${(x * 100).toFixed(digits)}%`
}

export function ms(x: number | null): string {
  return x === null ? '–' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`
}
