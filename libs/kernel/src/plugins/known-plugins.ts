import type { ContributionKind } from '@nasx/contracts';

/**
 * The contributions of the packages nasx publishes, by kind and id: when a config names an id no
 * installed plugin provides, the error names the package to install. A test keeps this table
 * equal to the manifests of the workspace's plugins.
 */
export const KNOWN_CONTRIBUTIONS: { readonly [K in ContributionKind]?: Readonly<Record<string, string>> } = {
  dataset: {
    cifar10: '@nasx/task-cifar10',
    nb101: '@nasx/estimator-tabular',
    'nb101-108': '@nasx/estimator-tabular',
    nb201: '@nasx/estimator-tabular',
  },
  estimator: {
    ctnas: '@nasx/estimator-ctnas',
    fisher: '@nasx/estimator-zero-cost',
    flops: '@nasx/estimator-zero-cost',
    gcn: '@nasx/estimator-gcn',
    'few-shot': '@nasx/estimator-supernet',
    ghn: '@nasx/estimator-ghn',
    'grad-norm': '@nasx/estimator-zero-cost',
    grasp: '@nasx/estimator-zero-cost',
    'jacob-cov': '@nasx/estimator-zero-cost',
    naswot: '@nasx/estimator-zero-cost',
    params: '@nasx/estimator-zero-cost',
    'one-shot': '@nasx/estimator-supernet',
    renas: '@nasx/estimator-renas',
    rlnas: '@nasx/estimator-supernet',
    'score-table': '@nasx/estimator-tabular',
    snip: '@nasx/estimator-zero-cost',
    synflow: '@nasx/estimator-zero-cost',
    synthetic: '@nasx/estimator-synthetic',
    tabular: '@nasx/estimator-tabular',
    train: '@nasx/estimator-train',
    'train-graph': '@nasx/estimator-train',
  },
  executor: {
    bullmq: '@nasx/executor-bullmq',
  },
  'latency-model': {
    learned: '@nasx/latency-model-learned',
    lut: '@nasx/latency-model-lut',
    measured: '@nasx/latency-model-measured',
    table: '@nasx/latency-model-table',
  },
  'search-space': {
    deepnets: '@nasx/search-space-deepnets',
    gnn: '@nasx/search-space-gnn',
    mnas: '@nasx/search-space-mnas',
    nb101: '@nasx/search-space-nb101',
    nb201: '@nasx/search-space-nb201',
  },
  searcher: {
    agnn: '@nasx/searcher-agnn',
    darts: '@nasx/searcher-darts',
    'assisted-regularized-evolution': '@nasx/searcher-regularized-evolution',
    evolution: '@nasx/searcher-evolution',
    ctnas: '@nasx/searcher-ctnas',
    mnas: '@nasx/searcher-mnas',
    nsga2: '@nasx/searcher-nsga2',
    'predictor-guided': '@nasx/searcher-predictor-guided',
    random: '@nasx/searcher-random',
    'regularized-evolution': '@nasx/searcher-regularized-evolution',
  },
  task: {
    camvid: '@nasx/task-camvid',
    cifar10: '@nasx/task-cifar10',
    cifar100: '@nasx/task-nb360',
    citeseer: '@nasx/task-planetoid',
    cora: '@nasx/task-planetoid',
    cosmic: '@nasx/task-nb360',
    darcy: '@nasx/task-nb360',
    deepsea: '@nasx/task-nb360',
    ecg: '@nasx/task-nb360',
    fsd50k: '@nasx/task-nb360',
    mnist: '@nasx/task-mnist',
    ninapro: '@nasx/task-nb360',
    psicov: '@nasx/task-nb360',
    pubmed: '@nasx/task-planetoid',
    satellite: '@nasx/task-nb360',
    spherical: '@nasx/task-nb360',
  },
};
