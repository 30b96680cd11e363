// A tiny network-level search space for the `nasx latency` tests: a 3×3 stem conv to 8 channels,
// two MBConv blocks (expansion 3) whose kernels are the architecture ("k3-k5"), global pool and a
// dense classifier. Small enough that profiling all of its operators takes a second.
const { NasxError } = require('@nasx/contracts');
const schema = require('./schema.json');

const KERNELS = [3, 5];

function space(options) {
  const [c, h, w] = options.inputShape;
  const classes = options.numClasses;
  const stem = { op: 'conv', attrs: { input: [c, h, w], cin: c, cout: 8, kernel: 3, stride: 1, activation: 'relu' } };
  const block = (k) => ({ op: 'mbconv', attrs: { input: [8, h, w], cin: 8, cout: 8, kernel: k, stride: 1, expansion: 3, se: 0, skip: 'identity', activation: 'relu' } });
  const pool = { op: 'global_pool', attrs: { input: [8, h, w], cin: 8 } };
  const dense = { op: 'dense', attrs: { input: [8], cin: 8, cout: classes } };
  const arch = (ks) => ({ space: 'tiny-net', genotype: ks, key: `tiny:${ks.join('-')}` });
  const self = {
    id: 'tiny-net',
    size: 4,
    sample: (rng) => arch([KERNELS[rng.int(2)], KERNELS[rng.int(2)]]),
    mutate: (a, rng) => {
      const ks = [...a.genotype];
      const i = rng.int(2);
      ks[i] = ks[i] === 3 ? 5 : 3;
      return arch(ks);
    },
    encode: (a) => Float32Array.from(a.genotype.map((k) => (k === 5 ? 1 : 0))),
    parse: (text) => {
      const m = /^k([35])-k([35])$/.exec(text.trim());
      if (!m) throw new NasxError('architecture', `"${text}" is not a tiny-net architecture`, { fix: 'write two kernels, e.g. k3-k5' });
      return arch([Number(m[1]), Number(m[2])]);
    },
    format: (a) => a.genotype.map((k) => `k${k}`).join('-'),
    validate: (a) => self.parse(self.format(a)),
    toGraph: (a) => {
      const ops = [stem, ...a.genotype.map(block), pool, dense].map((n, i) => ({ id: `n${i}`, ...n }));
      const nodes = [{ id: 'input', op: 'input', shape: [c, h, w] }, ...ops, { id: 'output', op: 'output', shape: [classes] }];
      return { space: 'tiny-net', level: 'network', nodes, edges: nodes.slice(1).map((n, i) => ({ from: nodes[i].id, to: n.id })) };
    },
  };
  if (options.listOperators) self.operators = () => [stem, block(3), block(5), pool, dense].map((n, i) => ({ id: `op${i}`, ...n }));
  return self;
}

module.exports = {
  default: {
    contributions: [{ kind: 'search-space', id: 'tiny-net', description: 'tiny network-level space (tests)', optionsSchema: schema, create: (options) => space(options) }],
  },
};
