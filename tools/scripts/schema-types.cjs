#!/usr/bin/env node
// Gives every contribution's options schema a TypeScript type without writing it twice.
//
// A plugin's manifest points at its `*.schema.json` (the kernel reads it without importing code),
// so the JSON file is the source of truth. `FromSchema` needs the schema as a literal type, which a
// JSON import does not give, so for each `<name>.schema.json` under plugins/*/src this writes
// `<name>.schema.ts` beside it:
//
//   export const <name>Schema = { ...the JSON... } as const;
//   export type <Name>Options = OptionsFromSchema<typeof <name>Schema>;
//
// `OptionsFromSchema` (@nasx/contracts) makes properties with a `default` required, because the
// kernel's validation fills them in before `create` runs. The build runs this first; a spec fails
// when a generated file is out of date with its JSON (`node tools/scripts/schema-types.cjs` fixes it).
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./workspace-packages.cjs');

const SCAN = ['plugins'];

function schemaFiles() {
  const out = [];
  const walk = (dir) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      if (d.name === 'node_modules' || d.name === 'dist' || d.name === '__fixtures__') continue;
      const p = path.join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith('.schema.json')) out.push(p);
    }
  };
  for (const top of SCAN) {
    const base = path.join(root, top);
    if (!fs.existsSync(base)) continue;
    for (const pkg of fs.readdirSync(base, { withFileTypes: true })) {
      const src = path.join(base, pkg.name, 'src');
      if (pkg.isDirectory() && fs.existsSync(src)) walk(src);
    }
  }
  return out.sort();
}

/** `assisted-regularized-evolution` → `assistedRegularizedEvolution` (camel) / `AssistedRegularizedEvolution` (pascal). */
function names(jsonFile) {
  const base = path.basename(jsonFile, '.schema.json');
  const parts = base.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const pascal = parts.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return { base, camel: pascal[0].toLowerCase() + pascal.slice(1), pascal };
}

/** The TypeScript text generated for one schema file. */
function generate(jsonFile) {
  const schema = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  const { base, camel, pascal } = names(jsonFile);
  return [
    `// Generated from ${base}.schema.json by tools/scripts/schema-types.cjs; do not edit.`,
    '// The JSON file is the source of truth (the package manifest points at it); this gives it a',
    '// literal type so the options type below is derived from it, never written by hand.',
    "import type { OptionsFromSchema } from '@nasx/contracts';",
    '',
    `/** The options schema \`${base}.schema.json\`, as a literal (kept as generated: its spec compares it byte for byte). */`,
    '// prettier-ignore',
    `export const ${camel}Schema = ${JSON.stringify(schema, null, 2)} as const;`,
    '',
    `/** Options after the kernel's validation (properties with a schema default are present). */`,
    `export type ${pascal}Options = OptionsFromSchema<typeof ${camel}Schema>;`,
    '',
  ].join('\n');
}

function targetOf(jsonFile) {
  return jsonFile.replace(/\.schema\.json$/, '.schema.ts');
}

/** Files whose generated text differs from what is on disk (relative paths). */
function staleSchemaTypes() {
  return schemaFiles()
    .filter((f) => {
      const t = targetOf(f);
      return !fs.existsSync(t) || fs.readFileSync(t, 'utf8') !== generate(f);
    })
    .map((f) => path.relative(root, targetOf(f)));
}

/** Writes the out-of-date generated files; returns their relative paths. */
function writeSchemaTypes() {
  const stale = staleSchemaTypes();
  for (const rel of stale) {
    const t = path.join(root, rel);
    fs.writeFileSync(t, generate(t.replace(/\.schema\.ts$/, '.schema.json')));
  }
  return stale;
}

module.exports = { schemaFiles, generate, staleSchemaTypes, writeSchemaTypes };

if (require.main === module) {
  const written = writeSchemaTypes();
  for (const w of written) console.error(`wrote ${w}`);
}
