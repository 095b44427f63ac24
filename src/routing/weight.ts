/**
 * Weights are a percentage with up to two decimals on the outside and basis points
 * (0..10000) inside, so that 0.5% is the integer 50 and no float ever decides a split.
 */
export const FULL_BP = 10_000

export function isValidWeight(percent: unknown): percent is number {
  return typeof percent === 'number' && Number.isFinite(percent) && percent >= 0 && percent <= 100 &&
    Math.abs(percent * 100 - Math.round(percent * 100)) < 1e-6
}

export function percentToBp(percent: number): number {
  return Math.round(percent * 100)
}

export function bpToPercent(bp: number): number {
  return bp / 100
}
