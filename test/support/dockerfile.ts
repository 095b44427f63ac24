/** One instruction of a Dockerfile: `ENTRYPOINT ["a", "b"]` is { op: 'ENTRYPOINT', args: '["a", "b"]' }. */
export interface Instruction { op: string; args: string }

/** The instructions of the Dockerfile's last stage (the image), continuation lines joined. */
export function imageStage(text: string): Instruction[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  const instructions = lines.map((l) => {
    const [op = '', ...rest] = l.split(/\s+/)
    return { op: op.toUpperCase(), args: rest.join(' ') }
  })
  return instructions.slice(instructions.findLastIndex((i) => i.op === 'FROM'))
}

/** The exec form of the stage's only `op` (for a `HEALTHCHECK`, its `CMD`). */
export function execForm(stage: readonly Instruction[], op: 'ENTRYPOINT' | 'CMD' | 'HEALTHCHECK'): string[] {
  const found = stage.filter((i) => i.op === op)
  if (found.length !== 1) throw new Error(`the image has ${found.length} ${op} instructions, expected 1`)
  const args = (found[0] as Instruction).args
  const form = JSON.parse(op === 'HEALTHCHECK' ? args.slice(args.indexOf('CMD ') + 4) : args) as unknown
  if (!Array.isArray(form) || !form.every((a) => typeof a === 'string')) throw new Error(`${op} is not in exec form (a JSON array of strings): ${args}`)
  return form
}
