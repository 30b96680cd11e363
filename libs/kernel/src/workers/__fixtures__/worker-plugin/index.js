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

// Per-thread state of the simulated wasm backend (poisonAfter).
let estimatesInThread = 0;
let poisoned = false;

function runtimeError(message) {
  const e = new Error(message);
  e.name = 'RuntimeError';
  return e;
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
          if (o.breakDir && fs.existsSync(path.join(o.breakDir, 'broken'))) throw new Error('the probe cannot start again');
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
              if (o.breakDir) {
                // Crash, and make every later start of the estimator fail.
                fs.writeFileSync(path.join(o.breakDir, 'broken'), '');
                process.exit(5);
              }
              if (o.hangOn.includes(arch.key)) for (;;) {} // a hung estimator: only terminating its thread ends it
              if (poisoned && o.outOfMemoryOn.length) throw runtimeError('memory access out of bounds');
              if (o.outOfMemoryOn.includes(arch.key)) {
                poisoned = true;
                const err = new Error(`training ${arch.key} ran out of memory: the wasm backend's WebAssembly heap reached 3.99 GiB of the 4.00 GiB a WebAssembly module can address (Aborted())`);
                err.name = 'NasxError';
                err.kind = 'run';
                err.where = { pkg: 'thread-probe' };
                err.fix = 'narrow the network';
                throw err;
              }
              if (o.poisonAfter !== undefined) {
                // TF.js's wasm backend after an abort: the call that aborts, then every later call fails.
                if (poisoned) throw runtimeError('memory access out of bounds');
                if (++estimatesInThread > o.poisonAfter) {
                  poisoned = true;
                  throw runtimeError('Aborted(). Build with -sASSERTIONS for more info.');
                }
              }
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
      {
        kind: 'estimator',
        id: 'prepared-probe',
        description: 'fails unless prepared; its preparation is saved to and reloaded from stateDir',
        optionsSchema: require('./prepared-schema.json'),
        create(o) {
          let state;
          return {
            id: 'prepared-probe',
            metrics: [{ name: 'score', direction: 'maximize' }],
            async prepare(ctx) {
              if (!ctx.stateDir) throw new Error('prepared-probe needs a stateDir');
              fs.mkdirSync(ctx.stateDir, { recursive: true });
              const file = path.join(ctx.stateDir, 'prepared-probe.json');
              const loaded = fs.existsSync(file);
              if (loaded) state = JSON.parse(fs.readFileSync(file, 'utf8'));
              else {
                state = { offset: ctx.rng.int(1000) };
                fs.writeFileSync(file, JSON.stringify(state));
              }
              // One line per preparation, so a test can count the work done and the reloads.
              fs.appendFileSync(path.join(ctx.stateDir, 'prepare.log'), `${loaded ? 'loaded' : 'computed'} ${threadId}\n`);
            },
            async estimate(arch) {
              if (!state) throw new Error('prepared-probe was asked to estimate before prepare()');
              if (o.crashOnceDir) {
                const marker = path.join(o.crashOnceDir, arch.key.replace(/[^a-z0-9]/gi, '_'));
                if (!fs.existsSync(marker)) {
                  fs.writeFileSync(marker, '');
                  process.exit(4);
                }
              }
              return { metrics: { score: score(arch.key) + state.offset }, cost: { seconds: 0 }, info: { threadId } };
            },
          };
        },
      },
    ],
  },
};
