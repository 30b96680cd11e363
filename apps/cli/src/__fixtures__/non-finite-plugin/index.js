// An estimator whose score is not always finite, as synflow's is (-Infinity for the all-`none`
// cell) or any NaN: every fourth key scores -Infinity, every seventh NaN, every ninth +Infinity.
const schema = require('./schema.json');

function hash(key) {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

function score(key) {
  const h = hash(key);
  if (h % 4 === 0) return -Infinity;
  if (h % 7 === 0) return NaN;
  if (h % 9 === 0) return Infinity;
  return (h % 100000) / 1000;
}

module.exports = {
  default: {
    contributions: [
      {
        kind: 'estimator',
        id: 'non-finite',
        description: 'scores that are sometimes -Infinity, NaN or Infinity',
        optionsSchema: schema,
        create(options) {
          return {
            id: 'non-finite',
            metrics: [{ name: 'score', direction: 'maximize' }],
            async estimate(arch) {
              if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
              const s = score(arch.key);
              return { metrics: { score: s, side: Number.isFinite(s) ? 1 : s }, cost: { seconds: options.delayMs / 1000 } };
            },
          };
        },
      },
    ],
  },
};
