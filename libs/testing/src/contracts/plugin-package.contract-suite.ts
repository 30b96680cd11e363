import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLUGIN_MANIFEST_SCHEMA, pluginContributions, type PluginDefinition } from '@nasx/contracts';
import { compileSchema, createAjv } from '@nasx/kernel';

/** The parts of a JSON Schema the house rules look at. */
interface LintedSchema {
  type?: unknown;
  description?: unknown;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: unknown;
  anyOf?: unknown[];
  oneOf?: unknown[];
  allOf?: unknown[];
}

/** Every problem of a JSON Schema against the house rules: objects closed, properties described. */
export function lintOptionsSchema(value: unknown, at = ''): string[] {
  const out: string[] = [];
  if (!value || typeof value !== 'object') return out;
  const schema = value as LintedSchema;
  if (schema.type === 'object' || schema.properties) {
    if (schema.additionalProperties !== false && typeof schema.additionalProperties !== 'object') out.push(`${at || '/'}: set additionalProperties: false`);
    for (const [k, v] of Object.entries(schema.properties ?? {})) {
      if (!(v as LintedSchema | undefined)?.description) out.push(`${at}/${k}: add a description`);
      out.push(...lintOptionsSchema(v, `${at}/${k}`));
    }
  }
  if (schema.items) out.push(...lintOptionsSchema(schema.items, `${at}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const [i, s] of (schema[key] ?? []).entries()) out.push(...lintOptionsSchema(s, `${at}/${key}/${i}`));
  return out;
}

const README_HEADINGS = ['Contributions', 'Options', 'Example config', 'Results (measured)', 'Limitations'];

/**
 * The package-level suite every plugin runs: the manifest is valid, it and the code declare the
 * same contributions, each schema file is the schema the code uses and follows the house rules,
 * and the README has the standard headings.
 *
 * @param packageDir the plugin's folder (use `path.resolve(__dirname, '..')` from a spec in src/)
 * @param plugin the package's default export
 */
export function describePluginPackage(packageDir: string, plugin: PluginDefinition): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  describe(`plugin package ${pkg.name} (contract)`, () => {
    it('has a valid nasx manifest', () => {
      const validate = createAjv().compile(PLUGIN_MANIFEST_SCHEMA);
      expect(validate(JSON.parse(JSON.stringify(pkg.nasx))) ? [] : validate.errors).toEqual([]);
      expect(pkg.name).toMatch(/^(@[a-z0-9-]+\/)?[a-z0-9-]+$/);
      expect(pkg.main).toBeTruthy();
    });

    it('declares in the manifest exactly the contributions its code defines', () => {
      const fromManifest = pkg.nasx.contributes.map((c: { kind: string; id: string }) => `${c.kind}:${c.id}`).sort();
      const fromCode = pluginContributions(plugin)
        .map((c) => `${c.kind}:${c.id}`)
        .sort();
      expect(fromCode).toEqual(fromManifest);
    });

    it('declares the same service token and injections in the manifest as in the code', () => {
      for (const c of pkg.nasx.contributes) {
        const def = pluginContributions(plugin).find((d) => d.id === c.id && d.kind === c.kind) as
          { token?: string; inject?: Record<string, string> } | undefined;
        expect({ id: c.id, token: c.token, inject: c.inject ?? {} }).toEqual({ id: c.id, token: def?.token, inject: def?.inject ?? {} });
      }
    });

    it('declares the same produced files for each dataset in the manifest as in the code', () => {
      for (const c of pkg.nasx.contributes) {
        if (c.kind !== 'dataset') continue;
        const def = pluginContributions(plugin).find((d) => d.id === c.id && d.kind === c.kind);
        expect({ id: c.id, produces: c.produces }).toEqual({ id: c.id, produces: def?.kind === 'dataset' ? def.produces : undefined });
      }
    });

    it("ships each options schema as the file the manifest names, identical to the code's", () => {
      for (const c of pkg.nasx.contributes) {
        // A service may take no options and name no schema file.
        if (c.optionsSchema === undefined) continue;
        const file = path.join(packageDir, c.optionsSchema);
        expect(fs.existsSync(file)).toBe(true);
        const fromFile = JSON.parse(fs.readFileSync(file, 'utf8'));
        const def = pluginContributions(plugin).find((d) => d.id === c.id && d.kind === c.kind);
        expect(def && def.kind !== 'dataset' ? def.optionsSchema : undefined).toEqual(fromFile);
        expect(() => compileSchema(fromFile)).not.toThrow();
        expect(lintOptionsSchema(fromFile)).toEqual([]);
      }
    });

    it('has a README with the standard headings', () => {
      const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
      const headings = [...readme.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]);
      for (const h of README_HEADINGS) expect(headings).toContain(h);
    });
  });
}
