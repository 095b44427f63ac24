/**
 * Envoy's retry budget, per listener: retries in flight stay at most
 * `max(minConcurrent, ratio * requests in flight)`, so that when a whole version fails,
 * retries add a bounded share of load instead of doubling it. A retry is in flight from its
 * decision (backoff included) to its outcome. With ratio 0.2 and minConcurrent 3:
 *
 *   requests in flight   5 -> 3 retries (the floor)   20 -> 4   52 -> 10 (10.4, rounded down)
 */
export class RetryBudget {
  private requests = 0
  private retries = 0

  requestStarted(): void {
    this.requests++
  }

  requestEnded(): void {
    this.requests--
  }

  /** Takes a slot for one retry; false when the budget is spent. The limits are the config's in force. */
  take(ratio: number, minConcurrent: number): boolean {
    if (this.retries + 1 > Math.max(minConcurrent, ratio * this.requests)) return false
    this.retries++
    return true
  }

  give(): void {
    this.retries--
  }
}
