import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedDataDir } from '@nasx/testing';
import { nasxInProcess, tempDir } from './cli-test-helpers';

// Every mistake a user can make in a config gets one paragraph naming the file, the line or JSON
// pointer and the fix, exit code 2, and no stack trace.
const GOOD = `name: t
space: nb201
estimator: synthetic
searcher:
  use: regularized-evolution
  options:
    population: 10
budget:
  evaluations: 20
`;

interface Case {
  name: string;
  config?: string;
  args?: (dir: string) => string[];
  expect: RegExp[];
}

const data = sharedDataDir() ?? '/nonexistent';
/** A tiny graph in Planetoid's release layout (tools/scripts/planetoid-fixtures.py). */
const PLANETOID = path.resolve(__dirname, '..', '..', '..', 'plugins', 'task-planetoid', 'src', '__fixtures__', 'planetoid-raw');

const cases: Case[] = [
  {
    name: 'a typo in a plugin id',
    config: GOOD.replace('use: regularized-evolution', 'use: regularised-evolution'),
    expect: [/c\.yaml:5/, /\/searcher\/use/, /unknown searcher "regularised-evolution"/, /Fix: did you mean "regularized-evolution"/],
  },
  {
    name: 'a wrong option type',
    config: GOOD.replace('population: 10', 'population: ten'),
    expect: [/c\.yaml:7/, /\/searcher\/options\/population/, /must be integer/, /Fix: give a value of type integer/],
  },
  {
    name: 'an unknown option',
    config: GOOD.replace('population: 10', 'populaton: 10'),
    expect: [/c\.yaml:7/, /\/searcher\/options\/populaton/, /unknown option "populaton"/, /did you mean "population"/],
  },
  {
    name: 'an unknown top-level key',
    config: GOOD.replace('searcher:', 'seacher:'),
    expect: [/c\.yaml:4/, /unknown option "seacher"/, /did you mean "searcher"/],
  },
  {
    name: 'a missing data directory',
    config: `dataDir: ./no-such-data\nspace: nb201\nestimator: tabular\nsearcher: random\nbudget: { evaluations: 5 }\n`,
    expect: [/error \(data\)/, /c\.yaml:3/, /\/estimator/, /no-such-data/, /NASX_DATA|dataDir/],
  },
  {
    name: 'invalid YAML',
    config: 'space: nb201\nestimator: [synthetic\nsearcher: random\n',
    expect: [/invalid YAML/, /c\.yaml:\d+/, /Fix: repair the syntax/],
  },
  {
    name: 'a missing budget',
    config: 'space: nb201\nestimator: synthetic\nsearcher: random\n',
    expect: [/c\.yaml/, /missing required property "budget"/, /Fix: add "budget"/],
  },
  {
    name: 'a metric the table lacks',
    config: `dataDir: ${JSON.stringify(data)}\nspace: nb201\nestimator:\n  use: tabular\n  options: { dataset: cifar100, metric: val_acc, epochs: 200 }\nsearcher: random\nbudget: { evaluations: 5 }\n`,
    expect: [/c\.yaml:3/, /\/estimator/, /cifar100/, /Fix:/],
  },
  {
    name: 'an objective metric nobody reports',
    config: GOOD + 'objective: val_acc@12\n',
    expect: [/c\.yaml:10/, /\/objective/, /objective metric "val_acc@12" is not reported/, /Fix: use one of "synthetic"/],
  },
  {
    name: 'an architecture string with an unknown op',
    args: (dir) => ['evaluate', path.join(dir, 'c.yaml'), '|conv_5x5~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'],
    config: GOOD,
    expect: [/error \(architecture\)/, /unknown op "conv_5x5"/, /edge 1/, /Fix: .*skip_connect/],
  },
  {
    name: 'a single-objective searcher given a multi-objective objective',
    config: GOOD + 'objective: { type: multi, metrics: [{ metric: synthetic }, { metric: synthetic, direction: minimize }] }\n',
    expect: [/c\.yaml:10/, /at \/objective/, /optimises one objective/, /Fix: use a single-metric/],
  },
  {
    name: 'an unknown op in an architecture list file (nasx score)',
    args: (dir) => {
      fs.writeFileSync(
        path.join(dir, 'archs.txt'),
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\n|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|\n',
      );
      return ['score', '--estimator', 'synthetic', '--archs', path.join(dir, 'archs.txt'), '--runs-dir', path.join(dir, 'runs')];
    },
    expect: [/archs\.txt:2/, /unknown op "conv_7x7"/, /Fix: /],
  },
  {
    name: 'a config file that does not exist',
    args: (dir) => ['run', path.join(dir, 'nope.yaml')],
    expect: [/nope\.yaml/, /config file not found/, /Fix:/],
  },
  {
    name: 'a malformed --set',
    args: (dir) => ['run', path.join(dir, 'c.yaml'), '--set', 'searcher.options.population'],
    config: GOOD,
    expect: [/--set "searcher.options.population" is not of the form path=value/, /Fix:/],
  },
  {
    name: 'nasx data fetch without a data directory',
    args: () => ['data', 'fetch', 'nb201'],
    expect: [/no data directory/, /Fix: give --data-dir <dir>, or set NASX_DATA/],
  },
  {
    name: 'a malformed --sha256',
    args: (dir) => ['data', 'fetch', 'nb201', '--data-dir', path.join(dir, 'd'), '--sha256', 'abc'],
    expect: [/--sha256 abc is not a sha256/, /Fix: give the 64-digit hex digest/],
  },
  {
    name: 'a --from folder without the upstream file',
    args: (dir) => ['data', 'fetch', 'nb201', '--data-dir', path.join(dir, 'd'), '--from', dir],
    expect: [/--from .*: there is no NAS-Bench-201-v1_1-096897\.pth at/, /Fix: put NAS-Bench-201-v1_1-096897\.pth into that folder/],
  },
  {
    name: 'a typo in a dataset id',
    args: (dir) => ['data', 'verify', 'cifar-10', '--data-dir', dir],
    expect: [/unknown dataset "cifar-10"/, /Fix: did you mean "cifar10"/],
  },
  {
    name: 'SPOS evolution with more children than its population',
    config: GOOD.replace('use: regularized-evolution', 'use: evolution').replace('population: 10', 'populationSize: 10\n    mutations: 8\n    crossovers: 8'),
    expect: [
      /mutations \(8\) \+ crossovers \(8\) exceed populationSize \(10\)/,
      /\/searcher\/options\/populationSize/,
      /Fix: raise populationSize to at least 16/,
    ],
  },
  {
    name: 'a few-shot split edge that is not a decision of the space',
    config: `space: nb201\ntask: mnist\nestimator: { use: few-shot, options: { split: { edges: [6] } } }\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/split\.edges holds 6, but space "nb201" has 6 decisions/, /\/options\/split\/edges\/0/, /Fix: use decisions 0\.\.5/],
  },
  {
    name: 'an executor id with a typo',
    config: `${GOOD}executor: { use: bullmx }\n`,
    expect: [/c\.yaml:10/, /\/executor\/use/, /unknown executor "bullmx"/, /Fix: did you mean "bullmq"/],
  },
  {
    name: 'a Redis address that is not a redis:// URL',
    config: `${GOOD}executor: { use: bullmq, options: { redis: "http://queue-host:6379" } }\n`,
    expect: [/c\.yaml:10/, /\/executor\/options\/redis/, /must match pattern/],
  },
  {
    name: 'worker threads asked for beside an executor',
    config: `${GOOD}workers: 2\nexecutor: { use: bullmq }\n`,
    expect: [/c\.yaml:10/, /\/workers/, /workers: 2 asks for worker threads, but executor "bullmq" runs the estimates elsewhere/, /Fix: remove workers/],
  },
  {
    name: 'a graph task given to an image space',
    config: `task: { use: citeseer, options: { dataDir: ${JSON.stringify(PLANETOID)} } }\nspace: nb201\nestimator: train\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/c\.yaml:1/, /\/task/, /task "citeseer" is graph/, /Fix: graph tasks train graph neural networks: use "space: gnn" with "estimator: train-graph"/],
  },
  {
    name: 'a graph task whose data folder has no graph',
    config: `task: { use: citeseer, options: { dataDir: ./no-graph } }\nspace: gnn\nestimator: train-graph\nsearcher: agnn\nbudget: { evaluations: 2 }\n`,
    expect: [
      /error \(data\)/,
      /c\.yaml:1/,
      /no citeseer graph in the data directory .*no-graph/,
      /ind\.citeseer\.x … ind\.citeseer\.test\.index/,
      /Fix: download the eight ind\.citeseer\.\* files \(https:\/\/github\.com\/kimiyoung\/planetoid/,
    ],
  },
  {
    name: 'a GNN layer with a hidden size of 0',
    args: () => [
      'score',
      '--space',
      'gnn',
      '--estimator',
      'train-graph',
      '--task',
      'citeseer',
      '--data-dir',
      PLANETOID,
      '--no-journal',
      '1x0:gcn:sum:constant:none:relu | 1:gcn:sum:constant:none:linear',
    ],
    expect: [/error \(architecture\)/, /layer 1 has a hidden size of 0/, /Fix: give it one of 4, 8, 16/],
  },
  {
    name: 'a GHN asked to read a space whose networks have no described forward pass',
    config: `task: mnist\nspace: gnn\nestimator: ghn\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/\/space/, /estimator "ghn": no network builder for search space "gnn"/, /Fix: networks can be built for nb201, nb101, mnas, wrn, deepnets/],
  },
  {
    name: 'a GHN decoder shape with a non-square kernel',
    config: `task: mnist\nspace: deepnets\nestimator: { use: ghn, options: { ghn: { maxShape: [64, 64, 5, 3] } } }\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/\/estimator\/options\/ghn\/maxShape/, /has a non-square kernel/, /Fix: use \[o, i, k, k\]/],
  },
  {
    name: 'GHN-orth fine-tuning with negative noise',
    config: `task: mnist\nspace: deepnets\nestimator: { use: ghn, options: { fineTune: { steps: 10, orthogonalize: true, noise: -0.1 } } }\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/\/estimator\/options\/fineTune\/noise/, /option "fineTune\.noise" must be >= 0/, /Fix: give a value >= 0/],
  },
  {
    name: 'workers that are neither a count nor "auto" (the message named only one of the two)',
    config: `space: nb201\nestimator: synthetic\nsearcher: random\nworkers: many\nbudget: { evaluations: 2 }\n`,
    expect: [/c\.yaml:4/, /at \/workers/, /"workers" is "many", which is neither an integer nor "auto"/, /Fix: give an integer or "auto" \(Worker threads/],
  },
  {
    name: 'an AGNN failedReward that is neither "worst" nor a number',
    config: `task: cora\nspace: gnn\nestimator: train-graph\nsearcher: { use: agnn, options: { failedReward: best } }\nbudget: { evaluations: 2 }\n`,
    expect: [
      /\/searcher\/options\/failedReward/,
      /option "failedReward" is "best", which is neither "worst" nor a number/,
      /Fix: give "worst" or a number \(Reward of a child whose trial failed/,
      /e\.g\. the default "worst"/,
    ],
  },
  {
    name: 'a DARTS split on an edge the supernet does not have',
    config: `task: { use: mnist, options: { limit: 100 } }\nspace: nb201\nestimator: synthetic\nsearcher: { use: darts, options: { epochs: 1, split: { edge: 9 }, macro: { channels: 4, cellsPerStage: 1 } } }\nbudget: { evaluations: 5 }\nworkers: 0\n`,
    expect: [/\/searcher\/options\/split\/edge/, /option split\.edge is 9, and the nb201 space has 6 decisions/, /Fix: give an edge in 0\.\.5/],
  },
  {
    name: 'CamVid without its files in the data directory',
    config: `task: { use: camvid, options: { dataDir: ./nowhere } }\nspace: nb201\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/no camvid_header\.json in the data directory .*nowhere/, /Fix: put the camvid-small files/],
  },
  {
    name: 'Auto-DeepLab on a classification task',
    config: `task: { use: mnist, options: { limit: 100 } }\nspace: { use: autodeeplab, options: { blocks: 2, layers: 2 } }\nestimator: synthetic\nsearcher: { use: autodeeplab, options: { epochs: 2, warmupEpochs: 1 } }\nbudget: { evaluations: 2 }\nworkers: 0\n`,
    expect: [/\/task/, /searcher "autodeeplab" needs a dense-prediction image task .*got "mnist"/, /Fix: use a segmentation or per-pixel regression task/],
  },
  {
    name: 'Auto-DeepLab with a warm-up as long as the search',
    config: `task: { use: mnist, options: { limit: 100 } }\nspace: autodeeplab\nestimator: synthetic\nsearcher: { use: autodeeplab, options: { epochs: 4, warmupEpochs: 4 } }\nbudget: { evaluations: 2 }\n`,
    expect: [/\/searcher\/options\/warmupEpochs/, /option warmupEpochs is 4, and epochs is 4/, /Fix: set warmupEpochs below epochs/],
  },
  {
    name: 'a skeleton setting the space’s network builder does not take',
    config: `task: { use: mnist, options: { limit: 100 } }\nspace: nb201\nestimator: { use: train, options: { steps: 1, macro: { filterMultiplier: 4 } } }\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/\/estimator\/options\/macro/, /unknown macro setting "filterMultiplier"/, /Fix: the NB201 builder takes macro\.channels/],
  },
  {
    name: 'a GHN to load that is not there',
    config: `task: { use: mnist, options: { limit: 100 } }\nspace: deepnets\nestimator: { use: ghn, options: { load: ./runs/old/state/ghn/x/ghn.json } }\nsearcher: random\nbudget: { evaluations: 2 }\n`,
    expect: [/\/estimator\/options\/load/, /load names .*ghn\.json, which does not exist/, /Fix: point at the ghn\.json in the ghn\/ folder of a run/],
  },
  {
    name: 'a deepnets architecture reading a node that does not exist yet',
    args: () => [
      'score',
      '--space',
      'deepnets',
      '--estimator',
      'flops',
      '--task',
      'mnist',
      '--no-journal',
      '{"channels":8,"layers":3,"stem":1,"normal":{"nodes":[{"inputs":[3],"ops":["skip"]}]},"reduce":{"nodes":[{"inputs":[0],"ops":["skip"]}]}}',
    ],
    expect: [/error \(architecture\)/, /normal node 0 reads input 3, not one of 0\.\.1/, /Fix: a deepnets genotype is/],
  },
  {
    name: 'resuming a folder that is not a run',
    args: (dir) => ['resume', dir],
    expect: [/is not a run folder/, /Fix: pass a folder under runs\//],
  },
];

describe('bad input gets one clear paragraph and exit code 2 (nasx CLI)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = tempDir(c.config ? { 'c.yaml': c.config } : {});
    const args = c.args ? c.args(dir) : ['run', path.join(dir, 'c.yaml'), '--runs-dir', path.join(dir, 'runs')];
    const r = await nasxInProcess(args, { env: { NASX_DATA: '' } });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2 });
    const text = r.stderr.trim();
    for (const re of c.expect) expect(text).toMatch(re);
    expect(text.split('\n')).toHaveLength(1); // one paragraph
    expect(text).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+\)/); // no stack trace
    expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false); // nothing half-made
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
