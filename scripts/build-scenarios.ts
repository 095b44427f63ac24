// Compiles bench/scenarios/*.ts into dist/bench/scenarios/*.js, beside the harness that
// `tsc -p tsconfig.build.json` compiles from src/bench/. A scenario imports only types from
// src/ (lint keeps it so), so each file compiles on its own; `npm run typecheck` checks
// them with the rest.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import ts from 'typescript'

const from = new URL('../bench/scenarios/', import.meta.url)
const to = new URL('../dist/bench/scenarios/', import.meta.url)
rmSync(to, { recursive: true, force: true })
mkdirSync(to, { recursive: true })
for (const file of readdirSync(from).filter((f) => f.endsWith('.ts'))) {
  const { outputText } = ts.transpileModule(readFileSync(new URL(file, from), 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  })
  writeFileSync(new URL(file.replace(/\.ts$/, '.js'), to), outputText)
}
