// @ts-check
'use strict';
// `nx g @nasx/workspace:plugin <name> --role <role>`: scaffolds plugins/<role>-<name>.
//
// Plain CommonJS with JSDoc types on purpose: Nx loads a local generator's `.ts` only through
// native type stripping (Node ≥ 22.6) or @swc-node/register / ts-node, and this workspace runs
// Node 20 with neither installed. A `.js` factory loads with a plain `require`, with no build step.
// Type-check it with: npx tsc --noEmit --allowJs --checkJs --strict --skipLibCheck --module node16 \
//   --moduleResolution node16 --target es2022 --types node tools/workspace/src/generators/plugin/plugin.generator.js

const { joinPathFragments, logger, readJson } = require('@nx/devkit');
// The templates, names and validation are the plugin kit's (@nasx/create-plugin), shared with
// `npm create @nasx/plugin` and `nasx new plugin`; this generator adds what the workspace needs.
const kit = require('@nasx/create-plugin');

/** @typedef {import('@nx/devkit').Tree} Tree */
/** @typedef {'task' | 'search-space' | 'estimator' | 'searcher' | 'latency-model'} PluginRole */

/**
 * Options of the generator (`schema.json`).
 * @typedef {object} PluginGeneratorSchema
 * @property {string} name contribution id, kebab-case
 * @property {PluginRole} role extension point
 * @property {string} [title] short human title
 * @property {string} [description] one or two sentences
 */

/** Where plugin packages live (a workspace glob of the root package.json). */
const PLUGINS_DIR = 'plugins';

/**
 * A user-facing error: what is wrong and how to fix it, prefixed so it is clear who complains.
 * @param {string} problem
 * @param {string} fix
 */
function usageError(problem, fix) {
  return new Error(`nasx plugin generator: ${problem}\nFix: ${fix}`);
}

/**
 * The version of a workspace package, or `fallback` (an empty test tree).
 * @param {Tree} tree
 * @param {string} packageJson
 * @param {string} fallback
 */
function versionOf(tree, packageJson, fallback) {
  if (!tree.exists(packageJson)) return fallback;
  try {
    const v = readJson(tree, packageJson).version;
    return typeof v === 'string' && v ? v : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The workspace plugin that already declares `<kind>:<id>` (the kernel refuses duplicates at load time).
 * @param {Tree} tree
 * @param {PluginRole} kind
 * @param {string} id
 * @returns {string | undefined} its package name (or folder)
 */
function findDuplicateContribution(tree, kind, id) {
  if (!tree.exists(PLUGINS_DIR)) return undefined;
  for (const dir of tree.children(PLUGINS_DIR)) {
    const file = joinPathFragments(PLUGINS_DIR, dir, 'package.json');
    if (!tree.exists(file)) continue;
    let pkg;
    try {
      pkg = readJson(tree, file);
    } catch {
      continue; // a broken package.json is the kernel's to report, not ours
    }
    const contributes = Array.isArray(pkg?.nasx?.contributes) ? pkg.nasx.contributes : [];
    if (contributes.some((/** @type {any} */ c) => c?.kind === kind && c?.id === id)) return `${pkg.name ?? dir} (${PLUGINS_DIR}/${dir})`;
  }
  return undefined;
}

/**
 * Plans the package with the kit, then checks what only the workspace knows: the folder and
 * duplicate contribution ids among the workspace plugins.
 * @param {Tree} tree
 * @param {PluginGeneratorSchema} options
 */
function planInWorkspace(tree, options) {
  let plan;
  try {
    plan = kit.planPlugin({
      ...options,
      mode: 'workspace',
      command: 'nx g @nasx/workspace:plugin',
      contractsVersion: versionOf(tree, 'libs/contracts/package.json', '0.1.0'),
      kernelVersion: versionOf(tree, 'libs/kernel/package.json', '0.1.0'),
    });
  } catch (e) {
    if (e instanceof kit.PluginKitError) throw usageError(e.problem, e.fix);
    throw e;
  }
  const projectRoot = joinPathFragments(PLUGINS_DIR, plan.folder);
  if (tree.exists(projectRoot)) {
    throw usageError(`${projectRoot} already exists; the generator never overwrites a plugin.`, `choose another name, or delete ${projectRoot} first.`);
  }
  const duplicate = findDuplicateContribution(tree, plan.role, plan.name);
  if (duplicate) {
    throw usageError(
      `${plan.role} id "${plan.name}" is already contributed by ${duplicate}; the kernel refuses duplicate ids of one kind.`,
      'choose another name.',
    );
  }
  return { ...plan, projectRoot };
}

/**
 * The package.json with the publishing fields every workspace package has (repository with its
 * directory, homepage, bugs, engines, public access), taken from the root package.json.
 * @param {Tree} tree
 * @param {string} projectRoot
 * @param {string} content
 */
function publishable(tree, projectRoot, content) {
  const pkg = JSON.parse(content);
  const rootPkg = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  const repo = typeof rootPkg.repository === 'object' && rootPkg.repository ? rootPkg.repository : undefined;
  const web = repo && typeof repo.url === 'string' ? repo.url.replace(/^git\+/, '').replace(/\.git$/, '') : undefined;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(pkg)) {
    out[k] = v;
    if (k === 'license') {
      out.author = 'nasx contributors';
      if (web) {
        out.homepage = `${web}/tree/main/${projectRoot}#readme`;
        out.bugs = { url: `${web}/issues` };
        out.repository = { ...repo, directory: projectRoot };
      }
      out.engines = { node: '>=20' };
      out.publishConfig = { access: 'public' };
    }
    if (k === 'files') out.files = [.../** @type {string[]} */ (v), 'LICENSE'];
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * Scaffolds plugins/<role>-<name>: package.json with its `nasx` manifest, tsconfig.json, README.md,
 * src/index.ts (default export `definePlugin`), src/<name>/<name>.<role>.ts (a small working
 * implementation), its options schema and specs (the contract suites of @nasx/testing).
 *
 * @param {Tree} tree
 * @param {PluginGeneratorSchema} options
 * @returns {Promise<() => void>} prints the next steps once the files are written
 */
async function pluginGenerator(tree, options) {
  const plan = planInWorkspace(tree, options);
  for (const [file, content] of plan.files) {
    tree.write(joinPathFragments(plan.projectRoot, file), file === 'package.json' ? publishable(tree, plan.projectRoot, content) : content);
  }
  // Published with the workspace's license, like every other package.
  if (tree.exists('LICENSE')) tree.write(joinPathFragments(plan.projectRoot, 'LICENSE'), /** @type {Buffer} */ (tree.read('LICENSE')));

  return () => {
    logger.info(
      [
        `Created ${plan.projectRoot} (${plan.packageName}): ${plan.role} "${plan.name}".`,
        'Next:',
        ...[
          [`npx tsc -b ${plan.projectRoot}`, 'build (the kernel loads dist/index.js)'],
          [`npx jest ${plan.projectRoot}`, "contract suite and the package's own tests"],
          ['npm install', 'link it into node_modules, for packages that import it by name'],
        ].map(([cmd, why], _, all) => `  ${cmd.padEnd(Math.max(...all.map(([c]) => c.length)) + 2)}# ${why}`),
        `Then replace the scaffold's algorithm with yours, keep ${plan.schemaPath} and the manifest in step, and fill in the README's "Results (measured)".`,
      ].join('\n'),
    );
  };
}

module.exports = pluginGenerator;
module.exports.default = pluginGenerator;
module.exports.pluginGenerator = pluginGenerator;
module.exports.PLUGIN_ROLES = kit.PLUGIN_ROLES;
