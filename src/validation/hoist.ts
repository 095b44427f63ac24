type Schema = Record<string, unknown>

/**
 * The same schema with each subschema of `properties` or `items` whose JSON is at least
 * `minBytes` moved to `$defs` and referenced. Ajv compiles a `$ref` target into a function of
 * its own and inlines everything else, so the config's schema made one function of ~0.5 MB,
 * which V8 compiles whole at the first check: ~40 ms of every start. Split, V8 compiles only
 * the functions a config reaches (a config without `strategy` never compiles the 130 KB of
 * it). A moved property's `default` stays beside its `$ref`, where Ajv's `useDefaults` reads
 * it. What is checked, and what the errors say, is the same; their `schemaPath` names the def.
 */
export function hoistSubschemas(root: Schema, minBytes: number): Schema {
  const defs: Record<string, unknown> = {}
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk)
    if (node === null || typeof node !== 'object') return node
    const out: Schema = {}
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === 'properties' && isSchema(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, hoist(sub)]))
      else if (key === 'items' && isSchema(value)) out[key] = hoist(value)
      else out[key] = walk(value)
    }
    return out
  }
  const hoist = (sub: unknown): unknown => {
    if (!isSchema(sub) || JSON.stringify(sub).length < minBytes) return walk(sub)
    const name = `s${Object.keys(defs).length}`
    const { default: dflt, ...rest } = sub
    defs[name] = null // the name is taken before the walk below names the defs inside it
    defs[name] = walk(rest)
    return dflt === undefined ? { $ref: `#/$defs/${name}` } : { $ref: `#/$defs/${name}`, default: dflt }
  }
  return { ...(walk(JSON.parse(JSON.stringify(root))) as Schema), $defs: defs }
}

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
