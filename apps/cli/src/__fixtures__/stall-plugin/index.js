// Contributions that take forever in one phase of a run, for tests of stopping it.
const estimatorSchema = require('./estimator.schema.json');
const searcherSchema = require('./searcher.schema.json');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Long work that checks its signal between steps, as a preparation or a ranking does. */
async function workUntilAborted(signal) {
  while (!signal.aborted) await sleep(20);
  throw signal.reason;
}

module.exports = {
  default: {
    contributions: [
      {
        kind: 'estimator',
        id: 'stall',
        description: 'stalls',
        optionsSchema: estimatorSchema,
        create(o) {
          return {
            id: 'stall',
            metrics: [{ name: 'score', direction: 'maximize' }],
            prepare: o.phase === 'prepare' ? (ctx) => workUntilAborted(ctx.signal) : undefined,
            // Ignores its signal and never answers, while holding the process (as one waiting on a socket does).
            estimate: o.phase === 'estimate' ? () => new Promise(() => setInterval(() => undefined, 1000)) : async () => ({ metrics: { score: 1 }, cost: { seconds: 0 } }),
          };
        },
      },
      {
        kind: 'searcher',
        id: 'stall-ask',
        description: 'stalls in its first ask',
        optionsSchema: searcherSchema,
        create(_o, deps) {
          return {
            id: 'stall-ask',
            async ask(n, ctx) {
              await workUntilAborted(ctx.signal);
              return [deps.space.sample(deps.rng)];
            },
            tell() {},
          };
        },
      },
    ],
  },
};
