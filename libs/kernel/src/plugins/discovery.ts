import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, PLUGIN_MANIFEST_SCHEMA, type JsonSchema, type PluginManifest } from '@nasx/contracts';
import satisfies from 'semver/functions/satisfies';
import { compileSchema, describeAjvError } from '../ajv';
import { KERNEL_VERSION } from '../version';
import type { DiscoveredContribution, DiscoveredPlugin, PluginSource } from './discovered-plugin';
import { NO_OPTIONS_SCHEMA, duplicateServiceProblems } from './services';

/** Where to look for plugins. */
export interface DiscoveryOptions {
  /** Project roots: their package.json dependencies and workspace packages are scanned. */
  readonly roots: readonly string[];
  /** Extra plugin package directories (from a config's `plugins:` list). */
  readonly paths?: readonly string[];
  /** Kernel version to check `engines.kernel` against (tests override it). */
  readonly kernelVersion?: string;
}

/** Result of discovery: the plugins, and the problems found (each a ready user-facing error). */
export interface DiscoveryResult {
  readonly plugins: DiscoveredPlugin[];
  readonly problems: NasxError[];
}

interface Candidate {
  readonly dir: string;
  readonly source: PluginSource;
}

/** The fields of a package.json that discovery reads (as written: only the nasx block is validated, by its schema). */
interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly workspaces?: string[] | { readonly packages?: string[] };
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly nasx?: unknown;
}

function readJson(file: string): PackageJson {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
}

function workspaceDirs(root: string, pkg: PackageJson): string[] {
  const ws = pkg.workspaces;
  const patterns: string[] = Array.isArray(ws) ? ws : Array.isArray(ws?.packages) ? ws.packages : [];
  const out: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const base = path.join(root, pattern.slice(0, -2));
      if (!fs.existsSync(base)) continue;
      for (const d of fs.readdirSync(base, { withFileTypes: true })) if (d.isDirectory()) out.push(path.join(base, d.name));
    } else if (!pattern.includes('*')) {
      out.push(path.join(root, pattern));
    }
  }
  return out;
}

/** Locate `<name>/package.json` from `fromDir` the way Node resolves packages (walking up node_modules). */
function findDependencyDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function candidatesOf(root: string): Candidate[] {
  const file = path.join(root, 'package.json');
  if (!fs.existsSync(file)) return [];
  const pkg = readJson(file);
  const out: Candidate[] = [];
  for (const dir of workspaceDirs(root, pkg)) out.push({ dir, source: 'workspace' });
  const deps = { ...pkg.optionalDependencies, ...pkg.devDependencies, ...pkg.dependencies };
  for (const name of Object.keys(deps)) {
    const dir = findDependencyDir(name, root);
    if (dir) out.push({ dir, source: 'dependency' });
  }
  return out;
}

/**
 * Find plugin packages from manifests alone: the workspace's packages, the dependencies of each
 * root (and of dependencies that are themselves nasx bundles' hosts, one level deep), and explicit
 * paths. No plugin code is imported. Every problem becomes a {@link NasxError} naming the package,
 * the contribution and the fix.
 */
export function discoverPlugins(options: DiscoveryOptions): DiscoveryResult {
  const kernelVersion = options.kernelVersion ?? KERNEL_VERSION;
  const queue: Candidate[] = [];
  for (const root of options.roots) queue.push(...candidatesOf(root));
  for (const p of options.paths ?? []) queue.push({ dir: p, source: 'path' });

  const seen = new Set<string>();
  const plugins: DiscoveredPlugin[] = [];
  const problems: NasxError[] = [];
  const validateManifest = compileSchema(PLUGIN_MANIFEST_SCHEMA);

  for (let i = 0; i < queue.length; i++) {
    const cand = queue[i] as Candidate;
    const pkgFile = path.join(cand.dir, 'package.json');
    if (!fs.existsSync(pkgFile)) {
      if (cand.source === 'path')
        problems.push(
          new NasxError('plugin', `no package.json in plugin directory "${cand.dir}"`, {
            file: cand.dir,
            fix: 'point "plugins:" at the folder that holds the plugin\'s package.json',
          }),
        );
      continue;
    }
    let real: string;
    try {
      real = fs.realpathSync(cand.dir);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    let pkg: PackageJson;
    try {
      pkg = readJson(pkgFile);
    } catch (e) {
      problems.push(new NasxError('plugin', `package.json is not valid JSON (${(e as Error).message})`, { file: pkgFile, fix: 'repair the JSON syntax' }));
      continue;
    }
    // Dependencies of workspace apps (e.g. the CLI's bundled plugins) are candidates too.
    if (cand.source === 'workspace' && !pkg.nasx) {
      const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
      for (const name of Object.keys(deps)) {
        const dir = findDependencyDir(name, real);
        if (dir) queue.push({ dir, source: 'dependency' });
      }
    }
    if (!pkg.nasx) {
      if (cand.source === 'path')
        problems.push(
          new NasxError('plugin', `package ${pkg.name ?? cand.dir} has no "nasx" block in its package.json`, {
            file: pkgFile,
            pkg: pkg.name,
            fix: 'add "nasx": { "role", "engines": { "kernel" }, "contributes": [...] } (see the README, "Writing a plugin")',
          }),
        );
      continue;
    }
    const plugin = readPlugin(real, pkgFile, pkg, cand.source, kernelVersion, validateManifest, problems);
    if (plugin) plugins.push(plugin);
  }

  // Duplicate contribution ids (per kind) across packages fail at load time.
  const byKey = new Map<string, DiscoveredContribution>();
  for (const p of plugins) {
    for (const c of p.contributions) {
      if (c.kind === 'service') continue; // services are known by token: duplicateServiceProblems()
      const key = `${c.kind}:${c.id}`;
      const other = byKey.get(key);
      if (other) {
        problems.push(
          new NasxError('plugin', `${c.kind} id "${c.id}" is contributed by both ${other.plugin.name} (${other.plugin.dir}) and ${p.name} (${p.dir})`, {
            file: p.packageJson,
            pkg: p.name,
            contribution: c.id,
            fix: `uninstall one of the two packages, or rename the contribution in one of them`,
          }),
        );
      } else byKey.set(key, c);
    }
  }
  problems.push(...duplicateServiceProblems(plugins));
  plugins.sort((a, b) => a.name.localeCompare(b.name));
  return { plugins, problems };
}

function readPlugin(
  dir: string,
  pkgFile: string,
  pkg: PackageJson,
  source: PluginSource,
  kernelVersion: string,
  validateManifest: ReturnType<typeof compileSchema>,
  problems: NasxError[],
): DiscoveredPlugin | undefined {
  const name: string = pkg.name ?? path.basename(dir);
  if (!validateManifest(pkg.nasx)) {
    const e = validateManifest.errors?.[0];
    const pointer = `/nasx${e?.instancePath ?? ''}`;
    problems.push(
      new NasxError('plugin', `invalid nasx manifest: ${e ? describeAjvError(e) : 'schema mismatch'}`, {
        file: pkgFile,
        pointer,
        pkg: name,
        fix: 'the "nasx" block needs "role" (task | search-space | estimator | searcher | latency-model | service | dataset | bundle), "engines": { "kernel": "<semver range>" } and "contributes": [{ id, kind, title, optionsSchema }] (a service: { id, kind: "service", token, title }; a dataset: { id, kind: "dataset", title, produces: [paths] })',
      }),
    );
    return undefined;
  }
  const manifest = pkg.nasx as PluginManifest;
  if (!satisfies(kernelVersion, manifest.engines.kernel, { includePrerelease: true })) {
    problems.push(
      new NasxError('plugin', `needs kernel ${manifest.engines.kernel} but this is @nasx/kernel ${kernelVersion}`, {
        file: pkgFile,
        pointer: '/nasx/engines/kernel',
        pkg: name,
        fix: `install a version of ${name} built for kernel ${kernelVersion}, or a kernel in ${manifest.engines.kernel}`,
      }),
    );
    return undefined;
  }
  if (manifest.role !== 'bundle') {
    // Any package may contribute the datasets it reads (`nasx data fetch` gets them).
    const wrong = manifest.contributes.find((c) => c.kind !== manifest.role && c.kind !== 'dataset');
    if (wrong) {
      problems.push(
        new NasxError('plugin', `role "${manifest.role}" but contribution "${wrong.id}" is a ${wrong.kind}`, {
          file: pkgFile,
          pkg: name,
          contribution: wrong.id,
          fix: 'set "role": "bundle" for packages that contribute several kinds, or fix the contribution\'s kind',
        }),
      );
      return undefined;
    }
  }
  const contributions: DiscoveredContribution[] = [];
  const plugin: DiscoveredPlugin = {
    name,
    version: pkg.version ?? '0.0.0',
    dir,
    packageJson: pkgFile,
    source,
    manifest,
    contributions,
    load: () => loadPackage(dir, name),
  };
  for (const [i, c] of manifest.contributes.entries()) {
    // A service may declare no options schema (the manifest schema requires one for other kinds).
    const schemaFile = c.optionsSchema === undefined ? '' : path.resolve(dir, c.optionsSchema);
    const outside = c.optionsSchema === undefined ? undefined : outsidePackage(dir, c.optionsSchema, schemaFile);
    if (outside) {
      problems.push(
        new NasxError('plugin', `the options schema path "${c.optionsSchema}" ${outside}; it must be a file inside the package folder`, {
          file: pkgFile,
          pointer: `/nasx/contributes/${i}/optionsSchema`,
          pkg: name,
          contribution: c.id,
          fix: 'put the schema file inside the package and give its path relative to the package root, e.g. "src/options.schema.json"',
        }),
      );
      continue;
    }
    let schema: JsonSchema;
    try {
      schema = c.optionsSchema === undefined ? NO_OPTIONS_SCHEMA : JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
    } catch (e) {
      // Never echo the file: JSON.parse's message quotes its first characters.
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : e instanceof SyntaxError ? 'not valid JSON' : code ? `cannot be read: ${code}` : 'cannot be read';
      problems.push(
        new NasxError('plugin', `cannot read the options schema "${c.optionsSchema}" (${why})`, {
          file: pkgFile,
          pointer: `/nasx/contributes/${i}/optionsSchema`,
          pkg: name,
          contribution: c.id,
          fix: 'point optionsSchema at a JSON Schema file inside the package (path relative to the package root) and include it in "files"',
        }),
      );
      continue;
    }
    try {
      const validate = compileSchema(schema);
      try {
        // A schema that refers to itself without end ({"$ref": "#"}) compiles but overflows the stack on every value.
        validate(JSON.parse(JSON.stringify(schemaProbe(schema))));
      } catch (e) {
        if (e instanceof RangeError) throw new Error('it refers to itself without end ($ref cycle)');
        throw e;
      }
    } catch (e) {
      problems.push(
        new NasxError('plugin', `the options schema ${c.optionsSchema} is not a valid JSON Schema: ${(e as Error).message}`, {
          file: schemaFile,
          pkg: name,
          contribution: c.id,
          fix: 'fix the schema (ajv strict mode: no unknown keywords; every object should set additionalProperties: false)',
        }),
      );
      continue;
    }
    contributions.push({
      id: c.id,
      kind: c.kind,
      title: c.title,
      description: c.description,
      optionsSchema: schema,
      schemaFile,
      plugin,
      workers: c.workers,
      ...(c.threadsOption ? { threadsOption: c.threadsOption } : {}),
      token: c.token,
      inject: c.inject,
      ...(c.produces ? { produces: c.produces } : {}),
    });
  }
  return plugin;
}

/** A value to try a schema on: an empty object for object schemas, else null. */
function schemaProbe(schema: JsonSchema): unknown {
  return (schema as { type?: unknown }).type === 'object' || (schema as { properties?: unknown }).properties !== undefined ? {} : null;
}

/** Why a manifest's schema path is not inside its package folder (absolute, `..`, a symlink out), or undefined when it is. */
function outsidePackage(dir: string, given: string, resolved: string): string | undefined {
  if (path.isAbsolute(given)) return 'is absolute';
  const inside = (root: string, p: string): boolean => {
    const rel = path.relative(root, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (!inside(dir, resolved)) return 'leads outside the package folder';
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    return undefined; // missing: reported as "file not found"
  }
  let realDir = dir;
  try {
    realDir = fs.realpathSync(dir);
  } catch {
    /* keep dir */
  }
  return inside(realDir, real) ? undefined : 'is a symbolic link to a file outside the package folder';
}

async function loadPackage(dir: string, name: string): Promise<unknown> {
  const entry = require.resolve(dir);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(entry);
  } catch (e) {
    // An ES module: Node < 20.19 refuses to require it at all, later Nodes refuse one with top-level await.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return import(entry);
    throw new NasxError('plugin', `importing ${name} failed: ${(e as Error).message}`, {
      file: entry,
      pkg: name,
      fix: `build the package (npm run build) or reinstall ${name}`,
    });
  }
}
