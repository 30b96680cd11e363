// Test plugin loaded through a config's relative `plugins:` path: a space whose text form differs
// from its keys, and an estimator that reads `weights.json` from the data directory and reports
// its config folder.
const fs = require('node:fs');
const path = require('node:path');
const schema = require('./empty.schema.json');

const arch = (d) => ({ space: 'triples', genotype: { d }, key: d.join('') });

const space = {
  id: 'triples',
  size: 27,
  sample: (rng) => arch([rng.int(3), rng.int(3), rng.int(3)]),
  mutate(a, rng) {
    const d = [...a.genotype.d];
    const i = rng.int(3);
    d[i] = (d[i] + 1 + rng.int(2)) % 3;
    return arch(d);
  },
  encode: (a) => Float32Array.from(a.genotype.d),
  toGraph: (a) => ({ nodes: a.genotype.d.map((x, i) => ({ id: `n${i}`, op: `op${x}` })), edges: [] }),
  parse(text) {
    const m = /^T\[(\d)-(\d)-(\d)\]$/.exec(text);
    if (!m) throw new Error(`not a triple: ${text}`);
    return arch([Number(m[1]), Number(m[2]), Number(m[3])]);
  },
  format: (a) => `T[${a.genotype.d.join('-')}]`,
  validate: (a) => a,
  *enumerate() {
    for (let i = 0; i < 27; i++) yield arch([Math.floor(i / 9), Math.floor(i / 3) % 3, i % 3]);
  },
};

module.exports = {
  default: {
    contributions: [
      { kind: 'search-space', id: 'triples', description: 'three digits', optionsSchema: schema, create: () => space },
      {
        kind: 'estimator',
        id: 'weights-file',
        description: 'reads weights.json from the data directory',
        optionsSchema: schema,
        create(_o, deps) {
          const file = path.join(deps.dataDir || '', 'weights.json');
          if (!deps.dataDir || !fs.existsSync(file)) {
            const err = new Error(`weights.json not found in the data directory "${deps.dataDir}"`);
            err.name = 'NasxError';
            err.kind = 'data';
            err.where = {};
            err.fix = 'set dataDir';
            throw err;
          }
          const w = JSON.parse(fs.readFileSync(file, 'utf8'));
          return {
            id: 'weights-file',
            metrics: [{ name: 'score', direction: 'maximize' }],
            // info.configDir: where this estimator (in the run, or in a worker thread) resolves relative paths.
            estimate: async (a) => ({
              metrics: { score: a.genotype.d.reduce((s, x, i) => s + x * w[i], 0) },
              cost: { seconds: 0 },
              info: { configDir: deps.configDir },
            }),
          };
        },
      },
    ],
  },
};
