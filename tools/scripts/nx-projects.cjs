// Nx plugin of this workspace: every project gets its layer tag from where it lives, and the
// lint, test and typecheck targets (whose commands, inputs and caching are in nx.json's
// targetDefaults). Deriving both from the layout means a plugin scaffolded into plugins/ is in
// the right layer and fully wired without anyone editing its package.json.
const path = require('node:path');

/** The layer of a project root (posix, relative to the workspace), or undefined outside them. */
function layerOf(root) {
  const [group, name, ...rest] = root.split('/');
  if (!name || rest.length > 0) return undefined;
  if (group === 'libs') return name === 'contracts' ? 'type:contracts' : 'type:lib';
  if (group === 'plugins') return 'type:plugin';
  if (group === 'apps') return 'type:app';
  if (group === 'tools') return 'type:tool';
  return undefined;
}

const createNodes = [
  '{libs,plugins,apps,tools}/*/{package.json,project.json}',
  (files) =>
    files.flatMap((file) => {
      const root = path.posix.dirname(file.split(path.sep).join('/'));
      const tag = layerOf(root);
      if (!tag) return [];
      return [[file, { projects: { [root]: { tags: [tag], targets: { lint: {}, test: {}, typecheck: {} } } } }]];
    }),
];

module.exports = { name: 'nasx-projects', createNodes, layerOf };
