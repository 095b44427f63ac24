/**
 * A gRPC method as the config names it: `/package.Service/Method`, the request path of its
 * calls, or `/package.Service/*` for every method of a service.
 */
export const grpcMethodPattern = '^/[^/*]+/([^/*]+|\\*)$'

/** What is wrong with a method name that does not match the pattern, in words. */
export function grpcMethodProblem(value: string): string {
  return `${JSON.stringify(value.slice(0, 64))} is not a gRPC method: write /package.Service/Method (the call's path) or /package.Service/* for every method of a service`
}

/**
 * The names as one test of a call's path, built once per config: an exact path, or the
 * service part of it for a `/*` entry. A path with a query or more segments matches neither.
 */
export function grpcMethodMatcher(names: readonly string[]): (path: string) => boolean {
  if (names.length === 0) return () => false
  const exact = new Set<string>()
  const services = new Set<string>()
  for (const name of names) {
    if (name.endsWith('/*')) services.add(name.slice(0, -1))
    else exact.add(name)
  }
  return (path) => exact.has(path) || (services.size > 0 && services.has(path.slice(0, path.lastIndexOf('/') + 1)))
}
