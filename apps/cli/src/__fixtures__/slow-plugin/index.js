// A deliberately slow estimator for kill-and-resume tests: a fixed pseudo-random score per key.
const schema = require('./schema.json');

function score(key) {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 1000;
}

module.exports = {
  default: {
    contributions: [
      {
        kind: 'estimator',
        id: 'slow-hash',
        description: 'slow hash score',
        optionsSchema: schema,
        create(options) {
          return {
            id: 'slow-hash',
            metrics: [{ name: 'score', direction: 'maximize' }],
            async estimate(arch) {
              if (options.callsFile) require('node:fs').appendFileSync(options.callsFile, arch.key + '\n');
              await new Promise((r) => setTimeout(r, options.delayMs));
              return { metrics: { score: score(arch.key) }, cost: { seconds: options.delayMs / 1000 } };
            },
          };
        },
      },
    ],
  },
};
