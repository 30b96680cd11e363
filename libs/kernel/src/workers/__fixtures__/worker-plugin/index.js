// Test estimator for the worker pool: reports which thread answered, can kill its thread.
const fs = require('node:fs');
const path = require('node:path');
const { threadId } = require('node:worker_threads');
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
        id: 'thread-probe',
        description: 'reports its thread',
        optionsSchema: schema,
        create(o) {
          if (o.failStartup) {
            const err = new Error('the probe data folder is missing');
            err.name = 'NasxError';
            err.kind = 'data';
            err.where = {};
            err.fix = 'point dataDir at the probe data';
            throw err;
          }
          return {
            id: 'thread-probe',
            metrics: [{ name: 'score', direction: 'maximize' }],
            async estimate(arch, ctx) {
              if (o.crashOn.includes(arch.key)) process.exit(3);
              if (o.crashOnceDir) {
                const marker = path.join(o.crashOnceDir, arch.key.replace(/[^a-z0-9]/gi, '_'));
                if (!fs.existsSync(marker)) {
                  fs.writeFileSync(marker, '');
                  process.exit(4);
                }
              }
              const end = Date.now() + o.delayMs;
              while (Date.now() < end) {}
              ctx.emit({ type: 'metric', name: 'probe', value: threadId, step: ctx.trial });
              return { metrics: { score: score(arch.key) + ctx.rng.next() * 0 }, cost: { seconds: o.delayMs / 1000 }, info: { threadId, seed: ctx.rng.seed } };
            },
          };
        },
      },
    ],
  },
};
