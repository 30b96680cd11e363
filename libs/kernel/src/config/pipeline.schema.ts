import { MAX_SEED, MAX_WORKERS, type JsonSchema } from '@nasx/contracts';

// Defined in @nasx/contracts (the CLI checks them without loading the kernel); exported here as before.
export { MAX_SEED, MAX_WORKERS };

/** Schema of a contribution entry: an id, or `{ use: id, options }`. */
export const ENTRY_SCHEMA: JsonSchema = {
  description: 'A contribution: its id, or { use: id, options: {...} }.',
  anyOf: [
    { type: 'string', minLength: 1, description: 'Contribution id.' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['use'],
      properties: {
        use: { type: 'string', minLength: 1, description: 'Contribution id.' },
        options: { type: 'object', description: "Options, validated against the contribution's schema." },
      },
    },
  ],
};

const METRIC = { type: 'string', minLength: 1, description: 'Metric name, optionally with a fidelity: val_acc@12.' };
const DIRECTION = { enum: ['maximize', 'minimize'], description: "Defaults to the metric's well-known direction." };

/** Schema of the `objective` key. */
export const OBJECTIVE_SCHEMA: JsonSchema = {
  description: "What the searcher optimises; defaults to the estimator's primary metric.",
  anyOf: [
    { ...METRIC },
    {
      type: 'object',
      additionalProperties: false,
      required: ['metric'],
      properties: { type: { const: 'metric', description: 'Single metric.' }, metric: METRIC, direction: DIRECTION },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'accuracy', 'latency', 'target'],
      properties: {
        type: { const: 'mnas', description: 'MnasNet ACC·(LAT/T)^w (Tan et al. 2019, eq. 2).' },
        accuracy: METRIC,
        latency: METRIC,
        target: { type: 'number', exclusiveMinimum: 0, description: "Target latency T, in the latency metric's unit (ms for latency_ms); > 0." },
        constraint: {
          enum: ['soft', 'hard'],
          description:
            'Preset exponents (MnasNet sec. 3): soft (the default) is alpha = beta = -0.07, a smooth trade-off that also rewards being faster than T; hard is alpha = 0, beta = -1, the most accurate architecture under T. Give either constraint or alpha/beta; both only if they agree.',
        },
        alpha: { type: 'number', description: 'Exponent when LAT ≤ T, at most 0 (default -0.07, the soft constraint; 0 for the hard one).' },
        beta: { type: 'number', description: 'Exponent when LAT > T, at most 0 (default -0.07, the soft constraint; -1 for the hard one).' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'terms'],
      properties: {
        type: { const: 'weighted', description: 'Weighted sum of metrics.' },
        terms: {
          type: 'array',
          minItems: 1,
          description: 'Terms of the sum.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['metric', 'weight'],
            properties: { metric: METRIC, weight: { type: 'number', description: 'Weight.' }, direction: DIRECTION },
          },
        },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'metrics'],
      properties: {
        type: { const: 'multi', description: 'Vector objective for multi-objective searchers.' },
        metrics: {
          type: 'array',
          minItems: 2,
          description: 'The objectives.',
          items: { type: 'object', additionalProperties: false, required: ['metric'], properties: { metric: METRIC, direction: DIRECTION } },
        },
      },
    },
  ],
};

/** The pipeline-config skeleton; contribution options are validated per contribution afterwards. */
export const PIPELINE_SCHEMA: JsonSchema = {
  $id: 'https://nasx.dev/schemas/pipeline.json',
  type: 'object',
  additionalProperties: false,
  required: ['space', 'estimator', 'searcher', 'budget'],
  properties: {
    $schema: { type: 'string', description: 'Editor hint (output of nasx schema).' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Run name (prefix of run ids).' },
    description: { type: 'string', description: 'Free text.' },
    seed: { type: 'integer', minimum: 0, maximum: MAX_SEED, default: 0, description: 'Seed of every random stream of the run (0 to 2^32-1).' },
    dataDir: { type: 'string', description: 'Data directory (relative to the config file); default: the NASX_DATA environment variable.' },
    plugins: { type: 'array', items: { type: 'string' }, description: 'Extra plugin package directories (relative to the config file).' },
    space: { ...ENTRY_SCHEMA, description: 'The search space.' },
    task: { ...ENTRY_SCHEMA, description: 'The task (data + metric), for estimators that train or score networks.' },
    estimator: { ...ENTRY_SCHEMA, description: 'The primary estimator: its metrics feed the objective.' },
    estimators: { type: 'object', additionalProperties: ENTRY_SCHEMA, description: 'Named auxiliary estimators (a proxy for AREA, a predictor, …).' },
    report: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Names of auxiliary estimators whose metrics are added to every estimate (e.g. a benchmark table reporting the true accuracy of what a proxy chose); searchers see them only if the objective uses them.',
    },
    latency: {
      type: 'array',
      description:
        'Latency models; each adds latency_ms (or latency_ms:<device>) to every estimate, and energy_mj (energy_mj:<device>) where the model knows energy.',
      items: ENTRY_SCHEMA,
    },
    searcher: { ...ENTRY_SCHEMA, description: 'The search strategy.' },
    executor: {
      ...ENTRY_SCHEMA,
      description:
        'Where the estimates run. Omitted: in this process, or in its worker threads (see workers). An executor plugin sends them elsewhere, e.g. { use: bullmq, options: { redis: "redis://host:6379" } } to `nasx worker` processes on any machine; results are told in proposal order either way, so a run is reproducible from its seed whatever executes it.',
    },
    objective: OBJECTIVE_SCHEMA,
    budget: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'When to stop: evaluations and/or wall-clock seconds (whichever comes first).',
      properties: {
        evaluations: { type: 'integer', minimum: 1, description: 'Number of evaluations (cached duplicates do not count when dedup is on).' },
        seconds: { type: 'number', exclusiveMinimum: 0, description: 'Wall-clock limit of the search.' },
        failures: { type: 'integer', minimum: 0, default: 10, description: 'Stop the run after this many failed trials (0: never stop for failures).' },
        trialSeconds: {
          type: 'number',
          exclusiveMinimum: 0,
          description:
            'Per-trial time limit: a trial that runs longer is cancelled and fails (a worker busy on it is replaced), so a hung estimator cannot stall the run.',
        },
      },
    },
    concurrency: {
      anyOf: [{ type: 'integer', minimum: 1 }, { const: 'auto' }],
      default: 'auto',
      description:
        'Trials evaluated at once; "auto": one per worker thread, 16 with an executor, else 1. Results are told in proposal order either way, so a run is reproducible from its seed and concurrency.',
    },
    workers: {
      anyOf: [{ type: 'integer', minimum: 0, maximum: MAX_WORKERS }, { const: 'auto' }],
      default: 'auto',
      description:
        'Worker threads (at most 64) for the primary estimator; "auto": one per core for estimators that declare themselves compute-heavy, else 0 (in-process).',
    },
    dedup: {
      enum: [true, false, 'canonical', 'exact'],
      default: true,
      description:
        'Answer proposals of already evaluated architectures from the cache. "canonical": by canonical key, so isomorphic architectures (equivalent cells) share one evaluation; "exact": by exact genotype; true: "canonical", or "exact" when the run has latency models (a latency depends on everything that runs, including branches equivalence ignores); false: evaluate every proposal.',
    },
    runsDir: { type: 'string', default: 'runs', description: 'Where run folders are written (relative to the working directory).' },
  },
};
