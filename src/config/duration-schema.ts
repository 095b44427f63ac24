import { Type } from '@sinclair/typebox'

/** A duration: "500ms", "30s", "5m", "1h", or a number of seconds. */
export const Duration = Type.Union([
  Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$' }),
  Type.Number({ minimum: 0 }),
], { description: 'a duration: 500ms, 30s, 5m, 1h, 7d, or a number of seconds' })
