/** A YAML mapping (a plain object), as opposed to a list, a scalar or null. */
export const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
