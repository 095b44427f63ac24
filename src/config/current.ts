import type { Config } from './load.js'

/**
 * The configuration in force, the one place every part reads it from after start. A reload
 * replaces it whole, so code that must follow a reload (the data plane per request, the
 * readiness probe per version, the drain when the signal comes) reads `current` when it acts
 * and keeps no copy of a field.
 */
export class CurrentConfig {
  constructor(private config: Config) {}

  get current(): Config {
    return this.config
  }

  replace(next: Config): void {
    this.config = next
  }
}
