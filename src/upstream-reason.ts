/**
 * Why an upstream request failed: the proxy classifies it (src/proxy/upstream-errors.ts),
 * analysis counts it, passive ejection weighs it. It sits below all three.
 */
export const upstreamReasons = ['connect', 'tls', 'reset', 'timeout', 'bad_response', 'no_backend'] as const
export type UpstreamReason = (typeof upstreamReasons)[number]
