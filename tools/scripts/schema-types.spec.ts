import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The generator is a plain CommonJS script (the build runs it before anything is compiled).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a .cjs script has no typings
const generator = require('./schema-types.cjs') as {
  schemaFiles(): string[];
  generate(jsonFile: string): string;
  staleSchemaTypes(): string[];
};

describe('options types generated from the schema files (tools/scripts/schema-types.cjs)', () => {
  it('every plugin *.schema.json has its *.schema.ts beside it, up to date (run `node tools/scripts/schema-types.cjs` to fix)', () => {
    const files = generator.schemaFiles();
    expect(files.length).toBeGreaterThanOrEqual(18);
    for (const f of files) expect(fs.existsSync(f.replace(/\.schema\.json$/, '.schema.ts'))).toBe(true);
    expect(generator.staleSchemaTypes()).toEqual([]);
  });

  it('writes the JSON as a literal and derives the options type from it, named after the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-schema-types-'));
    try {
      const file = path.join(dir, 'assisted-regularized-evolution.schema.json');
      const schema = { type: 'object', additionalProperties: false, properties: { population: { type: 'integer', default: 10, description: 'P' } } };
      fs.writeFileSync(file, JSON.stringify(schema));
      const text = generator.generate(file);
      expect(text).toContain('export const assistedRegularizedEvolutionSchema = {');
      expect(text).toContain('} as const;');
      expect(text).toContain('export type AssistedRegularizedEvolutionOptions = OptionsFromSchema<typeof assistedRegularizedEvolutionSchema>;');
      const literal = text.slice(text.indexOf('= {') + 2, text.indexOf(' as const;'));
      expect(JSON.parse(literal)).toEqual(schema);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
