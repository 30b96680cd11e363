import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatOperatorTable } from '@nasx/contracts';
import { loadJournal } from '@nasx/kernel';
import { sharedDataDir } from '@nasx/testing';
import { nasx, nasxChild, nasxInProcess, tempDir, unprivilegedUid } from './cli-test-helpers';

// Hostile input and crash safety, as a table: each row is something a user (or a kill, a full
// disk, a malicious plugin) does, the exit code and message it must get, no stack trace, and —
// where a run folder exists — a journal that still parses. Rows here were misbehaving (exit 1
// "internal error", a hang, silent data loss); bad-input.spec.ts holds the config mistakes that
// already had clean messages.

const slowPlugin = path.join(__dirname, '__fixtures__', 'slow-plugin');
const nonFinitePlugin = path.join(__dirname, '__fixtures__', 'non-finite-plugin');
const SECRET = 'root:$6$very-secret-hash:19000:0:99999:7:::';

const GOOD = `name: t
space: nb201
estimator: synthetic
searcher: random
budget:
  evaluations: 20
`;
const NON_FINITE = `name: nf
plugins: [${JSON.stringify(nonFinitePlugin)}]
space: nb201
estimator: non-finite
searcher: random
budget: { evaluations: 40, failures: 0 }
`;
const BOMB = `${GOOD}a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
`;
const A_CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

const STACK = /\n\s+at |node:internal|internal error|\.[jt]s:\d+:\d+\)/;

/** Finished runs made once, copied into each row's folder (so rows can damage them). */
let baseRun: string;
let nonFiniteRun: string;

/** Copy a finished run into `dir/runs/`; `interrupted` drops its last line (run-finished) as a kill would. */
function copyRun(from: string, dir: string, opts: { interrupted?: boolean } = {}): string {
  const to = path.join(dir, 'runs', path.basename(from));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
  if (opts.interrupted) {
    const file = path.join(to, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.pop()).toMatch(/"type":"run-finished"/);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    fs.rmSync(path.join(to, 'summary.json'), { force: true });
  }
  return to;
}

/** Insert a line into a journal after `after` lines. */
function damage(runDir: string, after: number, text: string): void {
  const file = path.join(runDir, 'events.ndjson');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.splice(after, 0, text);
  fs.writeFileSync(file, lines.join('\n'));
}

/** Every file of a folder with its content, to show that a command left it untouched. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    out[f] = fs.statSync(p).isDirectory() ? '<dir>' : fs.readFileSync(p, 'latin1');
  }
  return out;
}

/** A plugin package in `dir/<name>` whose manifest names `optionsSchema`; returns its folder. */
function pluginPackage(dir: string, name: string, optionsSchema: string, opts: { id?: string; schema?: string } = {}): string {
  const pkg = path.join(dir, name);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      main: 'index.js',
      nasx: { role: 'searcher', engines: { kernel: '*' }, contributes: [{ id: opts.id ?? name, kind: 'searcher', title: name, optionsSchema }] },
    }),
  );
  if (opts.schema !== undefined) fs.writeFileSync(path.join(pkg, 'schema.json'), opts.schema);
  fs.writeFileSync(path.join(pkg, 'index.js'), 'module.exports = { default: { contributions: [] } };\n');
  return pkg;
}

function configWithPlugin(dir: string, pkg: string, searcher: string): string {
  const file = path.join(dir, 'p.yaml');
  fs.writeFileSync(file, `plugins: [${JSON.stringify(pkg)}]\nspace: nb201\nestimator: synthetic\nsearcher: ${searcher}\nbudget: { evaluations: 5 }\n`);
  return file;
}

interface Row {
  readonly name: string;
  /** Prepare the row's folder; returns the command line. */
  readonly args: (dir: string) => string[];
  readonly code?: number;
  readonly stderr: readonly RegExp[];
  readonly stdout?: readonly RegExp[];
  /** Must not appear anywhere in the output (e.g. the content of a file a plugin pointed at). */
  readonly never?: RegExp;
  /** A run folder whose journal must still parse afterwards. */
  readonly runDir?: (dir: string) => string;
  /** A folder the command must leave exactly as it was. */
  readonly untouched?: (dir: string) => string;
  /** Further checks on the row's folder. */
  readonly check?: (dir: string, r: { stdout: string; stderr: string }) => void;
  /** A reason to skip the row here (e.g. root ignores permissions). */
  readonly skip?: () => string | undefined;
  /** Run the command as a user that permissions apply to (nobody, when the tests run as root). */
  readonly asUnprivileged?: boolean;
  /**
   * Run the built command in a process of its own (rows run in this process otherwise, through the
   * CLI's \`main\`): a lock held by another process, a memory bomb, a hang.
   */
  readonly spawn?: boolean;
  readonly timeoutMs?: number;
}

/** The tiny network-level fixture space (tiny-net), for the nasx latency rows. */
const tinyNetPlugin = path.join(__dirname, '__fixtures__', 'tiny-net-plugin');
const TINY_KEYS = [
  'conv in=3x8x8 out=8 k=3 s=1 act=relu',
  'mbconv in=8x8x8 out=8 k=3 s=1 e=3 se=0 skip=identity act=relu',
  'mbconv in=8x8x8 out=8 k=5 s=1 e=3 se=0 skip=identity act=relu',
  'global_pool in=8x8x8',
  'dense in=8 out=10',
];
/** A config of tiny-net with an operator table `t.csv` (device local-cpu) of `keys`, read by lut. */
function tinyLut(dir: string, keys: readonly string[], spaceOptions = '{}', lutOptions = ''): string {
  fs.writeFileSync(
    path.join(dir, 't.csv'),
    formatOperatorTable(
      { device: 'local-cpu', backend: 'tfjs cpu', batch: 1 },
      keys.map((key) => ({ key, ms: 1, samples: 3 })),
    ),
  );
  const file = path.join(dir, 'tiny.yaml');
  fs.writeFileSync(
    file,
    `plugins: [${JSON.stringify(tinyNetPlugin)}]\nspace: { use: tiny-net, options: ${spaceOptions} }\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 1 }\nlatency: [{ use: lut, options: { table: t.csv${lutOptions} } }]\n`,
  );
  return file;
}
const shared = sharedDataDir();

const runIn = (dir: string): string => path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0] as string);
const config = (dir: string, text = GOOD): string => {
  fs.writeFileSync(path.join(dir, 'c.yaml'), text);
  return path.join(dir, 'c.yaml');
};
const run = (dir: string, ...extra: string[]): string[] => ['run', config(dir), '--runs-dir', path.join(dir, 'runs'), '-q', ...extra];
const noRunFolder = (dir: string): void => expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false);

const rows: Row[] = [
  // --set reaching into JavaScript's object machinery (prototype pollution)
  {
    name: '--set __proto__.x=1',
    args: (d) => run(d, '--set', '__proto__.x=1'),
    stderr: [/--set __proto__\.x: "__proto__" cannot be a config key/, /Fix: /],
    check: noRunFolder,
  },
  { name: '--set with constructor in the path', args: (d) => run(d, '--set', 'searcher.constructor.x=1'), stderr: [/"constructor" cannot be a config key/] },
  { name: '--set with prototype in the path', args: (d) => run(d, '--set', 'searcher.options.prototype=1'), stderr: [/"prototype" cannot be a config key/] },
  {
    name: '--set with a __proto__ key in the value',
    args: (d) => run(d, '--set', 'searcher={"__proto__": {"polluted": 1}}'),
    stderr: [/the value has a key "__proto__"/],
  },
  { name: '--set with an empty key', args: (d) => run(d, '--set', 'searcher..use=random'), stderr: [/empty key in the path/] },

  // nasx latency: devices, lookup tables and spaces that do not fit
  {
    name: "nasx latency predict: an unknown lut device lists the table's devices",
    args: (d) => ['latency', 'predict', '--config', tinyLut(d, TINY_KEYS, '{}', ', device: pixel9'), 'k3-k3'],
    stderr: [/unknown device "pixel9" for .*t\.csv/, /Fix: set device to one of: local-cpu/],
  },
  {
    name: 'nasx latency predict: an unknown table device lists the known ones',
    skip: () => (shared ? undefined : 'needs the reference data (shared/data) for the table model'),
    args: () => ['latency', 'predict', '--model', 'table', '--device', 'pixel9', '--data-dir', shared!, A_CELL],
    stderr: [/unknown device "pixel9"/, /Fix: set device to one of: 1080ti_1, .*pixel3, raspi4/],
  },
  {
    name: 'nasx latency predict: a lut table whose rows do not cover the space',
    args: (d) => [
      'latency',
      'predict',
      '--config',
      tinyLut(
        d,
        TINY_KEYS.filter((k) => !k.includes('k=5')),
      ),
      'k3-k3',
    ],
    stderr: [
      /t\.csv \(device local-cpu\) lacks 1 of the 5 operators of space "tiny-net", e\.g\. "mbconv in=8x8x8 out=8 k=5 /,
      /Fix: profile the space .*nasx latency profile --space tiny-net/,
    ],
  },
  {
    name: 'nasx latency predict: a missing lut entry names the operator (a space that cannot list its operators)',
    args: (d) => [
      'latency',
      'predict',
      '--config',
      tinyLut(
        d,
        TINY_KEYS.filter((k) => !k.includes('k=5')),
        '{ listOperators: false }',
      ),
      'k3-k5',
    ],
    stderr: [
      /operator "mbconv in=8x8x8 out=8 k=5 s=1 e=3 se=0 skip=identity act=relu" \(node n2 of a tiny-net network\) is not in the table .*t\.csv/,
      /Fix: profile .*nasx latency profile --space tiny-net/,
    ],
  },
  {
    name: 'nasx latency predict: lut on a cell-level space',
    args: (d) => ['latency', 'predict', '--model', 'lut', '--table', tinyLut(d, TINY_KEYS).replace('tiny.yaml', 't.csv'), A_CELL],
    stderr: [/sums the operators of a whole network, and space "nb201" gives a cell-level graph/],
  },
  {
    name: 'nasx latency predict: an unknown latency model',
    args: () => ['latency', 'predict', '--model', 'lutt', A_CELL],
    stderr: [/unknown latency-model "lutt"/, /did you mean "lut"/],
  },
  {
    name: 'nasx latency predict: an unknown space',
    args: () => ['latency', 'predict', '--space', 'nb2011', '--model', 'table', A_CELL],
    stderr: [/unknown search-space "nb2011"/, /did you mean "nb201"/],
  },
  { name: 'nasx latency predict without architectures', args: () => ['latency', 'predict', '--model', 'table'], stderr: [/no architectures/] },
  {
    name: 'nasx latency predict --config with --device (was it meant to win?)',
    args: (d) => ['latency', 'predict', '--config', tinyLut(d, TINY_KEYS), '--device', 'x', 'k3-k3'],
    stderr: [/--config gives the space and the latency models, so --device would be ignored/],
  },
  {
    name: 'nasx latency profile of a cell-level space',
    args: (d) => ['latency', 'profile', '--space', 'nb201', '-o', path.join(d, 'x.csv')],
    stderr: [/space "nb201" cannot list its operators/],
    check: (d) => expect(fs.existsSync(path.join(d, 'x.csv'))).toBe(false),
  },
  {
    name: 'nasx latency profile -o an existing table (left untouched)',
    args: (d) => ['latency', 'profile', '--config', tinyLut(d, TINY_KEYS), '-o', path.join(d, 't.csv')],
    stderr: [/t\.csv exists/, /--force/],
    untouched: (d) => d,
  },
  {
    name: 'nasx latency profile --input 3x0x32',
    args: (d) => ['latency', 'profile', '--input', '3x0x32', '-o', path.join(d, 'x.csv')],
    stderr: [/--input <CxHxW>.*expected an input shape channels first/],
  },
  {
    name: 'nasx latency profile --statistic mean',
    args: (d) => ['latency', 'profile', '--statistic', 'mean', '-o', path.join(d, 'x.csv')],
    stderr: [/--statistic "mean" is neither median nor min/],
  },
  {
    name: 'nasx latency profile --backend gpu9',
    args: (d) => ['latency', 'profile', '--config', tinyLut(d, TINY_KEYS), '--backend', 'gpu9', '-o', path.join(d, 'x.csv')],
    stderr: [/unknown backend "gpu9"/, /auto, tensorflow-gpu, tensorflow, onednn, wasm, cpu/],
  },

  // seeds and worker counts out of range
  {
    name: 'seed: 2^32 in the config (was reduced modulo 2^32)',
    args: (d) => run(d, '--set', 'seed=4294967296'),
    stderr: [/at \/seed/, /must be <= 4294967295/],
  },
  {
    name: '--seed 4294967296 (was the same run as seed 0)',
    args: (d) => run(d, '--seed', '4294967296'),
    stderr: [/--seed <n>.*seeds are 32-bit: give 0 to 4294967295/],
  },
  { name: '--seed 1.5', args: (d) => run(d, '--seed', '1.5'), stderr: [/--seed <n>.*expected a non-negative integer/] },
  {
    name: 'workers: 100000 in the config (reached 4.3 GB and never started)',
    spawn: true,
    args: (d) => run(d, '--set', 'workers=100000'),
    stderr: [/at \/workers/, /must be <= 64/],
    check: noRunFolder,
  },
  {
    name: 'dedup: isomorphic in the config (the values are true, false, canonical and exact)',
    args: (d) => ['run', config(d, `${GOOD}dedup: isomorphic\n`), '--runs-dir', path.join(d, 'runs'), '-q'],
    stderr: [
      /c\.yaml:7, at \/dedup: "dedup" is "isomorphic", which is not one of true, false, "canonical", "exact"/,
      /Fix: use one of true, false, "canonical", "exact" \(.*"canonical": by canonical key, so isomorphic architectures .* share one evaluation/,
    ],
    check: noRunFolder,
  },
  {
    name: 'nasx score --workers 100000',
    spawn: true,
    args: (d) => ['score', '--estimator', 'synthetic', A_CELL, '--workers', '100000', '--runs-dir', path.join(d, 'runs')],
    stderr: [/--workers <n>.*at most 64 worker threads/],
    check: noRunFolder,
  },

  // nasx score options that were ignored or misread
  {
    name: 'nasx score --all --archs f (the file was ignored)',
    args: (d) => ['score', '--estimator', 'synthetic', '--all', '--archs', config(d), '--runs-dir', path.join(d, 'runs')],
    stderr: [/--all scores every architecture of the space, so --archs .* would be ignored/, /Fix: choose one/],
    check: noRunFolder,
  },
  {
    name: 'nasx score --all with architectures as arguments',
    args: (d) => ['score', '--estimator', 'synthetic', '--all', A_CELL, '--runs-dir', path.join(d, 'runs')],
    stderr: [/the architectures given as arguments would be ignored/],
    check: noRunFolder,
  },
  {
    name: 'nasx score -o x.xlsx (wrote CSV)',
    args: (d) => ['score', '--estimator', 'synthetic', A_CELL, '-o', path.join(d, 'x.xlsx'), '--runs-dir', path.join(d, 'runs')],
    stderr: [/writes CSV \(\.csv\) or JSON lines \(\.jsonl or \.json\), not "\.xlsx"/, /Fix: name the output file/],
    check: (d) => {
      noRunFolder(d);
      expect(fs.existsSync(path.join(d, 'x.xlsx'))).toBe(false);
    },
  },
  {
    name: 'nasx score -o without an extension',
    args: (d) => ['score', '--estimator', 'synthetic', A_CELL, '-o', path.join(d, 'scores'), '--runs-dir', path.join(d, 'runs')],
    stderr: [/not a file without an extension/],
  },
  {
    name: 'nasx score -o into a missing folder',
    args: (d) => ['score', '--estimator', 'synthetic', A_CELL, '-o', path.join(d, 'missing', 'x.csv'), '--runs-dir', path.join(d, 'runs')],
    stderr: [/missing\/x\.csv: the folder .*missing does not exist/, /Fix: create it first/],
    check: noRunFolder,
  },
  {
    name: 'nasx score -o naming a folder',
    args: (d) => {
      fs.mkdirSync(path.join(d, 'out.csv'));
      return ['score', '--estimator', 'synthetic', A_CELL, '-o', path.join(d, 'out.csv'), '--runs-dir', path.join(d, 'runs')];
    },
    stderr: [/out\.csv is a folder/],
    check: noRunFolder,
  },
  // score files served as estimators (score-table), and AREA drawing from one
  {
    name: 'score-table: a score file that does not exist',
    args: (d) => ['score', '--estimator', 'score-table', '--set', 'estimator.options.file=missing.csv', A_CELL, '--runs-dir', path.join(d, 'runs')],
    stderr: [/score file "missing\.csv" not found \(looked for .*missing\.csv\)/, /Fix: give a path relative to the config file or to the data directory/],
  },
  {
    name: 'score-table: a score file of another space',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'toy.csv'), 'arch,score,seconds\n012301,1,0\n');
      return ['score', '--estimator', 'score-table', '--set', `estimator.options.file=${path.join(d, 'toy.csv')}`, A_CELL, '--runs-dir', path.join(d, 'runs')];
    },
    stderr: [/toy\.csv was not scored in search space "nb201": its first cell "012301" \(line 2\)/, /Fix: use a score file of the nb201 space/],
  },
  {
    name: 'score-table: a metric column the file lacks',
    args: (d) => {
      fs.writeFileSync(path.join(d, 's.csv'), `arch,score,seconds,synthetic\n${A_CELL},1,0,1\n`);
      return [
        'score',
        '--estimator',
        'score-table',
        '--set',
        `estimator.options.file=${path.join(d, 's.csv')}`,
        '--set',
        'estimator.options.metric=nwot',
        A_CELL,
        '--runs-dir',
        path.join(d, 'runs'),
      ];
    },
    stderr: [/s\.csv has no column "nwot"/, /Fix: set metric to one of its columns: score, synthetic/],
  },
  {
    name: 'score-table: a cell the score file lacks (the trial fails, the others are written)',
    args: (d) => {
      fs.writeFileSync(path.join(d, 's.csv'), `arch,score,seconds\n${A_CELL},1,0\n`);
      const other = A_CELL.replace('skip_connect~0', 'avg_pool_3x3~0');
      return [
        'score',
        '--estimator',
        'score-table',
        '--set',
        `estimator.options.file=${path.join(d, 's.csv')}`,
        A_CELL,
        other,
        '-q',
        '--runs-dir',
        path.join(d, 'runs'),
      ];
    },
    code: 1,
    stderr: [
      /failed: cell \|nor_conv_3x3~0\|\+\|nor_conv_3x3~0\|nor_conv_3x3~1\|\+\|avg_pool_3x3~0\|.* is not in the score file .*s\.csv \(1 cells\)/,
      /1 architecture\(s\) could not be scored/,
    ],
  },
  {
    name: 'AREA samplesFrom: proxy with a proxy that is not a score table',
    args: (d) => {
      const file = path.join(d, 'area.yaml');
      fs.writeFileSync(
        file,
        'space: nb201\nestimator: synthetic\nestimators: { proxy: synthetic }\nsearcher: { use: assisted-regularized-evolution, options: { samplesFrom: proxy } }\nbudget: { evaluations: 20 }\n',
      );
      return ['run', file, '--runs-dir', path.join(d, 'runs'), '-q'];
    },
    stderr: [
      /samplesFrom: proxy draws the samples from the cells the proxy "proxy" can score, but that estimator \(synthetic\) scores any cell/,
      /Fix: use samplesFrom: space, or a proxy backed by a score table/,
    ],
  },
  {
    name: 'budget.trialSeconds: 0',
    args: (d) => run(d, '--set', 'budget.trialSeconds=0'),
    stderr: [/at \/budget\/trialSeconds: "budget\.trialSeconds" must be > 0/, /Fix: give a value > 0/],
    check: noRunFolder,
  },
  {
    name: 'nasx report --top that is not a count',
    args: (d) => ['report', copyRun(baseRun, d), '--top', 'x'],
    stderr: [/option '--top <k>' argument 'x' is invalid/],
    runDir: (d) => runIn(d),
  },
  {
    name: 'nasx export of a run without a task (a network needs its input shape and classes)',
    args: (d) => ['export', copyRun(baseRun, d), '-o', path.join(d, 'out')],
    stderr: [/has no task/, /Fix: pass --task mnist \(no data needed\)/],
    runDir: (d) => runIn(d),
    check: (d) => expect(fs.existsSync(path.join(d, 'out'))).toBe(false),
  },
  {
    name: 'nasx export --epochs without --train',
    args: (d) => ['export', copyRun(baseRun, d), '--task', 'mnist', '--epochs', '2', '-o', path.join(d, 'out')],
    stderr: [/--epochs and --steps set the training of --train/, /Fix: add --train, or drop them/],
    check: (d) => expect(fs.existsSync(path.join(d, 'out'))).toBe(false),
  },
  {
    name: 'nasx export into a folder that has files (never overwritten without --force)',
    args: (d) => {
      fs.mkdirSync(path.join(d, 'out'));
      fs.writeFileSync(path.join(d, 'out', 'model.json'), 'mine');
      return ['export', copyRun(baseRun, d), '--task', 'mnist', '-o', path.join(d, 'out')];
    },
    stderr: [/exists and is not an empty folder/, /Fix: choose another folder with -o, or pass --force/],
    untouched: (d) => path.join(d, 'out'),
  },
  {
    name: 'nasx report --size that is not WIDTHxHEIGHT',
    args: (d) => ['report', copyRun(baseRun, d), '--svg', path.join(d, 'p.svg'), '--size', '10xfoo'],
    stderr: [/argument '10xfoo' is invalid\. expected WIDTHxHEIGHT in pixels/],
    check: (d) => expect(fs.existsSync(path.join(d, 'p.svg'))).toBe(false),
  },
  {
    name: 'nasx report --png into a missing folder',
    spawn: true, // plots load vega-lite, an ES module, which needs a real Node process
    args: (d) => ['report', copyRun(baseRun, d), '--png', path.join(d, 'missing', 'p.png')],
    stderr: [/cannot open .*missing\/p\.png: no such file or folder \(ENOENT\)/, /Fix: /],
    runDir: (d) => runIn(d),
  },
  {
    name: 'nasx new plugin with a role that does not exist',
    args: () => ['new', 'plugin', 'hill-climb', '--role', 'optimizer'],
    stderr: [/unknown role "optimizer"/, /Fix: pass --role with one of: task, search-space, estimator, searcher, latency-model/],
  },
  {
    name: 'nasx new plugin with a name that is not kebab-case',
    args: () => ['new', 'plugin', 'HillClimb', '--role', 'searcher'],
    stderr: [/"HillClimb" is not a kebab-case name/, /Fix: use "hill-climb"/],
  },
  {
    name: 'nasx new plugin into a folder that has files (never overwritten)',
    args: (d) => {
      fs.mkdirSync(path.join(d, 'mine'));
      fs.writeFileSync(path.join(d, 'mine', 'keep.txt'), 'mine');
      return ['new', 'plugin', 'hill-climb', '--role', 'searcher', '--dir', path.join(d, 'mine')];
    },
    stderr: [/mine exists and is not empty; the kit never overwrites files/, /Fix: /],
    untouched: (d) => path.join(d, 'mine'),
  },
  {
    name: 'nasx new plugin with a scope that is not an npm scope',
    args: () => ['new', 'plugin', 'hill-climb', '--role', 'searcher', '--scope', '@Acme/x'],
    stderr: [/"@Acme\/x" is not an npm scope/],
  },
  {
    name: 'nasx schema -o into a missing folder',
    args: (d) => ['schema', '-o', path.join(d, 'missing', 's.json')],
    stderr: [/cannot open .*missing\/s\.json: no such file or folder \(ENOENT\)/, /Fix: /],
  },

  // runs directories that cannot be written
  {
    name: "--runs-dir /proc/x (hung: Node's recursive mkdir loops there)",
    args: (d) => run(d, '--runs-dir', '/proc/nasx-x'),
    stderr: [/\/proc\/nasx-x: cannot write the runs directory/],
    timeoutMs: 30_000,
    skip: () => (fs.existsSync('/proc/self') ? undefined : 'no /proc here'),
  },
  {
    name: 'a runs directory that is a file',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'runs-file'), '');
      return run(d, '--runs-dir', path.join(d, 'runs-file'));
    },
    stderr: [/runs-file: cannot write the runs directory: a file is in the way \(not a folder\)/, /Fix: choose a writable folder with --runs-dir/],
  },
  {
    name: 'a runs directory below a file',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'runs-file'), '');
      return run(d, '--runs-dir', path.join(d, 'runs-file', 'sub'));
    },
    stderr: [/cannot write the runs directory: a file is in the way/],
  },
  {
    name: 'an unwritable runs directory',
    // Root ignores permissions: as root the command runs as nobody (setpriv), in a folder nobody owns.
    skip: () => (unprivilegedUid() === undefined ? 'running as root without setpriv, and root ignores permissions' : undefined),
    asUnprivileged: true,
    args: (d) => {
      fs.mkdirSync(path.join(d, 'ro'), { mode: 0o500 });
      const uid = unprivilegedUid();
      if (typeof uid === 'number') {
        fs.chmodSync(d, 0o755);
        fs.chownSync(path.join(d, 'ro'), uid, uid);
      }
      return run(d, '--runs-dir', path.join(d, 'ro', 'runs'));
    },
    stderr: [/cannot write the runs directory: permission denied/],
  },

  // YAML that expands without end
  {
    name: 'a YAML alias bomb (billion laughs)',
    spawn: true,
    args: (d) => run(d).map((a) => (a.endsWith('c.yaml') ? config(d, BOMB) : a)),
    stderr: [/c\.yaml:\d+/, /YAML aliases expand too far/, /at most 100 alias expansions/],
    check: noRunFolder,
  },
  { name: 'a YAML alias bomb in nasx validate', args: (d) => ['validate', config(d, BOMB), '--static'], stderr: [/YAML aliases expand too far/] },
  {
    name: 'a YAML alias loop',
    spawn: true,
    args: (d) =>
      run(d).map((a) =>
        a.endsWith('c.yaml') ? config(d, 'space: &s\n  use: nb201\n  options: *s\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 5 }\n') : a,
      ),
    stderr: [/c\.yaml:3/, /a YAML alias refers to a node that contains it/, /at \/space\/options/],
  },

  // plugins that reach out of their package or shadow another
  {
    name: 'a config plugin re-contributing an installed id (was silently dropped)',
    args: (d) => [
      'validate',
      configWithPlugin(
        d,
        pluginPackage(d, 'evil-random', 'schema.json', { id: 'random', schema: '{"type":"object","additionalProperties":false,"properties":{}}' }),
        'random',
      ),
      '--static',
    ],
    stderr: [/searcher id "random" is contributed by both @nasx\/searcher-random .* and evil-random/, /Fix: uninstall or drop one/],
  },
  {
    name: 'an optionsSchema path out of the package (read /etc/shadow)',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'shadow'), SECRET);
      return ['validate', configWithPlugin(d, pluginPackage(d, 'peek', '../shadow'), 'peek'), '--static'];
    },
    stderr: [/the options schema path "\.\.\/shadow" leads outside the package folder/, /package peek/],
    never: /root:|very-secret/,
  },
  {
    name: 'an absolute optionsSchema path',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'shadow'), SECRET);
      return ['validate', configWithPlugin(d, pluginPackage(d, 'peek-abs', path.join(d, 'shadow')), 'peek-abs'), '--static'];
    },
    stderr: [/optionsSchema|options schema path .* is absolute/],
    never: /root:|very-secret/,
  },
  {
    name: 'an optionsSchema that is a symlink out of the package',
    args: (d) => {
      fs.writeFileSync(path.join(d, 'shadow'), SECRET);
      const pkg = pluginPackage(d, 'peek-link', 'schema.json');
      fs.symlinkSync(path.join(d, 'shadow'), path.join(pkg, 'schema.json'));
      return ['validate', configWithPlugin(d, pkg, 'peek-link'), '--static'];
    },
    stderr: [/is a symbolic link to a file outside the package folder/],
    never: /root:|very-secret/,
  },
  {
    name: 'an optionsSchema file that is not JSON is not quoted',
    args: (d) => ['validate', configWithPlugin(d, pluginPackage(d, 'peek-text', 'schema.json', { schema: SECRET }), 'peek-text'), '--static'],
    stderr: [/cannot read the options schema "schema\.json" \(not valid JSON\)/],
    never: /root:|very-secret/,
  },
  {
    name: 'a self-referencing options schema (was exit 1)',
    args: (d) => ['validate', configWithPlugin(d, pluginPackage(d, 'selfref', 'schema.json', { schema: '{"$ref":"#"}' }), 'selfref'), '--static'],
    stderr: [/not a valid JSON Schema: it refers to itself without end/],
  },

  // journals: non-finite numbers, damage, emptiness
  {
    name: 'report of a run with -Infinity / NaN scores (showed "interrupted, 0 evaluations")',
    code: 0,
    args: (d) => ['report', copyRun(nonFiniteRun, d)],
    stderr: [/^$/],
    stdout: [/: budget-exhausted/, /budget used: 40\/40 evaluations/],
    runDir: runIn,
  },
  {
    name: 'resume of an interrupted run with non-finite scores continues (restarted from trial 0)',
    code: 0,
    args: (d) => {
      const r = copyRun(nonFiniteRun, d, { interrupted: true });
      const file = path.join(r, 'events.ndjson');
      // cut the journal after its 20th evaluation
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      let n = 0;
      const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && !l.includes('"cached"') && ++n === 20);
      fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
      return ['resume', r, '-q'];
    },
    stderr: [/^$/],
    stdout: [/budget-exhausted/, /evaluations 40\b/],
    runDir: runIn,
    check: (d) => {
      const summary = JSON.parse(fs.readFileSync(path.join(runIn(d), 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ evaluations: 40, sessions: 2 });
    },
  },
  {
    name: 'resume with a corrupt line mid-journal (deleted every event after it)',
    code: 0,
    args: (d) => {
      const r = copyRun(baseRun, d, { interrupted: true });
      damage(r, 6, '{"type":"evaluated","seq":');
      return ['resume', r, '-q'];
    },
    stderr: [/warning: events\.ndjson: line 7 is not a valid journal event; moved it to events\.ndjson\.damaged-1/],
    stdout: [/budget-exhausted/],
    runDir: runIn,
    check: (d) => {
      const r = runIn(d);
      expect(fs.readFileSync(path.join(r, 'events.ndjson.damaged-1'), 'utf8')).toBe('7\t{"type":"evaluated","seq":\n');
      // the events of the first session are all still there, in order
      const before = loadJournal(path.join(baseRun, 'events.ndjson'))
        .events.filter((e) => e.type === 'evaluated')
        .map((e) => e.seq);
      const after = loadJournal(path.join(r, 'events.ndjson'))
        .events.filter((e) => e.type === 'evaluated')
        .map((e) => e.seq);
      expect(after.slice(0, before.length)).toEqual(before);
    },
  },
  {
    name: 'resume with a torn last line',
    code: 0,
    args: (d) => {
      const r = copyRun(baseRun, d, { interrupted: true });
      fs.appendFileSync(path.join(r, 'events.ndjson'), '{"type":"proposed","seq":99,"tri');
      return ['resume', r, '-q'];
    },
    stderr: [/the last line \(\d+\) was cut short; moved it to events\.ndjson\.damaged-1/],
    runDir: runIn,
  },
  {
    name: 'report of a journal with a corrupt line',
    code: 0,
    args: (d) => {
      const r = copyRun(baseRun, d);
      damage(r, 3, 'garbage');
      return ['report', r];
    },
    stderr: [/warning: events\.ndjson: line 4 is not a valid journal event; skipped it/],
    stdout: [/budget used: 20\/20 evaluations/],
    untouched: runIn,
  },
  {
    name: 'resume with an empty journal (started over and overwrote it)',
    args: (d) => {
      const r = copyRun(baseRun, d);
      fs.writeFileSync(path.join(r, 'events.ndjson'), '');
      return ['resume', r];
    },
    stderr: [/cannot be resumed: its journal is empty/, /the run folder was left untouched/],
    untouched: runIn,
  },
  {
    name: 'resume with an all-garbage journal',
    args: (d) => {
      const r = copyRun(baseRun, d);
      fs.writeFileSync(path.join(r, 'events.ndjson'), 'garbage\n\u0000\u0001\n');
      return ['resume', r];
    },
    stderr: [/has no readable event \(2 damaged lines\)/],
    untouched: runIn,
  },
  {
    name: 'resume of a run folder without a journal',
    args: (d) => {
      const r = copyRun(baseRun, d);
      fs.rmSync(path.join(r, 'events.ndjson'));
      return ['resume', r];
    },
    stderr: [/has no journal \(events\.ndjson is missing\)/],
    untouched: runIn,
  },

  // one writer per run
  {
    name: 'resume of a run another live process is writing (ended with 7,303 of 5,000 evaluations)',
    spawn: true,
    args: (d) => {
      const r = copyRun(baseRun, d, { interrupted: true });
      fs.writeFileSync(path.join(r, 'lock'), `${process.pid}\n`); // this test process: alive
      return ['resume', r];
    },
    stderr: [new RegExp(`run [^ ]+ is in use by process ${process.pid}`), /Fix: wait for that process to end, or stop it/],
    untouched: runIn,
  },
  {
    name: 'resume with a stale lock (its process is gone) takes it over and says so',
    spawn: true,
    code: 0,
    args: (d) => {
      const r = copyRun(baseRun, d, { interrupted: true });
      fs.writeFileSync(path.join(r, 'lock'), '999999999\n');
      return ['resume', r, '-q'];
    },
    stderr: [/warning: run .* was locked by process 999999999, which is no longer running \(killed\?\); took the lock over/],
    runDir: runIn,
    check: (d) => expect(fs.existsSync(path.join(runIn(d), 'lock'))).toBe(false),
  },

  // the MnasNet objective's target and exponents
  {
    name: 'mnas objective with target 0 (T ≤ 0)',
    args: (d) => run(d, '--set', 'objective={"type":"mnas","accuracy":"val_acc","latency":"latency_ms","target":0}'),
    stderr: [/at \/objective\/target: "objective\.target" must be > 0/, /Fix: give a value > 0 \(Target latency T/],
    check: noRunFolder,
  },
  {
    name: 'mnas objective with alpha > 0 (rewards slower cells under T)',
    args: (d) => run(d, '--set', 'objective={"type":"mnas","accuracy":"val_acc","latency":"latency_ms","target":10,"alpha":0.07}'),
    stderr: [/at \/objective\/alpha: objective \(type mnas\): alpha = 0\.07 is above 0/, /Fix: use alpha ≤ 0, e\.g\. constraint: soft/],
    check: noRunFolder,
  },
  {
    name: 'mnas objective with constraint hard and a contradicting beta',
    args: (d) => run(d, '--set', 'objective={"type":"mnas","accuracy":"val_acc","latency":"latency_ms","target":10,"constraint":"hard","beta":-0.07}'),
    stderr: [/constraint "hard" sets beta = -1, but beta is also given as -0\.07/, /Fix: give either the preset/],
    check: noRunFolder,
  },
];

function assertJournalParses(runDir: string): void {
  const file = path.join(runDir, 'events.ndjson');
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  const r = loadJournal(file);
  expect(r.warnings).toEqual([]);
  expect(r.events.length).toBeGreaterThan(0);
}

describe('hostile input and damaged runs get exit 2 and one message, never a stack trace or lost data (nasx CLI)', () => {
  let base: string;
  beforeAll(() => {
    base = tempDir({ 'base.yaml': GOOD, 'nf.yaml': NON_FINITE });
    const a = nasx(['run', path.join(base, 'base.yaml'), '--runs-dir', path.join(base, 'a'), '-q']);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    baseRun = path.join(base, 'a', fs.readdirSync(path.join(base, 'a'))[0] as string);
    const b = nasx(['run', path.join(base, 'nf.yaml'), '--runs-dir', path.join(base, 'b'), '-q']);
    expect(b).toMatchObject({ code: 0, stderr: '' });
    nonFiniteRun = path.join(base, 'b', fs.readdirSync(path.join(base, 'b'))[0] as string);
    // the fixture did produce non-finite scores
    expect(fs.readFileSync(path.join(nonFiniteRun, 'events.ndjson'), 'utf8')).toMatch(/"\$num":"-Infinity"/);
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const why = row.skip?.();
    if (why) {
      console.warn(`[hostile-input] "${row.name}" not checked: ${why}`);
      return;
    }
    const dir = tempDir();
    try {
      const args = row.args(dir);
      const watched = row.untouched?.(dir);
      const before = watched ? snapshot(watched) : undefined;
      const t = Date.now();
      const uid = row.asUnprivileged ? unprivilegedUid() : undefined;
      const r =
        row.spawn || row.asUnprivileged || row.timeoutMs
          ? nasx(args, { env: { NASX_DATA: '' }, timeoutMs: row.timeoutMs ?? 60_000, uid: typeof uid === 'number' ? uid : undefined })
          : await nasxInProcess(args, { env: { NASX_DATA: '' } });
      expect(Date.now() - t).toBeLessThan(row.timeoutMs ?? 60_000);
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: row.code ?? 2 });
      const err = r.stderr.trim();
      for (const re of row.stderr) expect(err).toMatch(re);
      for (const re of row.stdout ?? []) expect(r.stdout).toMatch(re);
      expect(`${r.stdout}\n${r.stderr}`).not.toMatch(STACK);
      if (row.never) expect(`${r.stdout}\n${r.stderr}`).not.toMatch(row.never);
      // one paragraph (commander adds its "(run with --help for usage)" line to argument errors)
      if ((row.code ?? 2) === 2) expect(err.split('\n').filter((l) => !/^\(run with --help/.test(l))).toHaveLength(1);
      if (row.runDir) assertJournalParses(row.runDir(dir));
      if (watched) expect(snapshot(watched)).toEqual(before);
      row.check?.(dir, r);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a resumed nasx score run writes its -o file, complete (was not written at all)', () => {
    const dir = tempDir({
      'archs.txt': Array.from(
        { length: 30 },
        (_, i) =>
          `|nor_conv_3x3~0|+|${['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'][i % 5]}~0|nor_conv_3x3~1|+|skip_connect~0|${['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'][Math.floor(i / 5) % 5]}~1|nor_conv_3x3~2|`,
      ).join('\n'),
    });
    try {
      const out = path.join(dir, 'scores.csv');
      const first = nasx(['score', '--estimator', 'synthetic', '--archs', path.join(dir, 'archs.txt'), '-o', out, '--runs-dir', path.join(dir, 'runs'), '-q']);
      expect(first.code).toBe(0);
      const full = fs.readFileSync(out, 'utf8');
      expect(full.trim().split('\n')).toHaveLength(31);
      // as if killed after 12 rows: journal cut, output file partial
      const r = runIn(dir);
      const file = path.join(r, 'events.ndjson');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      let n = 0;
      const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 12);
      fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
      fs.writeFileSync(out, full.split('\n').slice(0, 6).join('\n'));
      const resumed = nasx(['resume', r, '-q']);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toBe('');
      // every architecture with its score, in order (the seconds column is re-measured for redone rows)
      const archAndScore = (csv: string): string[] =>
        csv
          .trim()
          .split('\n')
          .map((l) => l.split(',').slice(0, 2).join(','));
      expect(archAndScore(fs.readFileSync(out, 'utf8'))).toEqual(archAndScore(full));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Signals, pipes and concurrent writers: a running process is needed. These work with the CLI and
// the journal writer alone (the writer takes the run-folder lock), without further kernel wiring.
describe('signals, closed pipes and a second writer (nasx CLI, running processes)', () => {
  const SLOW = `name: slow\nseed: 4\nplugins: [${JSON.stringify(slowPlugin)}]\nspace: nb201\nestimator: { use: slow-hash, options: { delayMs: 20 } }\nsearcher: random\nbudget: { evaluations: 2000 }\n`;

  async function startedRun(
    dir: string,
    extra: string[] = [],
  ): Promise<{ child: ReturnType<typeof nasxChild>; runDir: string; out: () => string; err: () => string }> {
    fs.writeFileSync(path.join(dir, 'slow.yaml'), SLOW);
    const child = nasxChild(['run', path.join(dir, 'slow.yaml'), '--runs-dir', path.join(dir, 'runs'), ...extra]);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (Date.now() > deadline) throw new Error(`the run did not start: ${err}`);
      const runs = path.join(dir, 'runs');
      if (!fs.existsSync(runs) || !fs.readdirSync(runs).length) continue;
      const runDir = runIn(dir);
      const j = path.join(runDir, 'events.ndjson');
      if (fs.existsSync(j) && fs.readFileSync(j, 'utf8').includes('"type":"evaluated"')) return { child, runDir, out: () => out, err: () => err };
    }
  }

  const exited = (child: ReturnType<typeof nasxChild>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
    new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));

  it.each([
    ['SIGTERM', 143, /SIGTERM: stopping after the current trials/],
    ['SIGINT', 130, /Ctrl-C: stopping after the current trials/],
  ] as const)(
    '%s stops the run gracefully, prints the resume hint and exits %d (a cancelled run exited 0)',
    async (signal, code, notice) => {
      const dir = tempDir();
      try {
        const { child, runDir, out, err } = await startedRun(dir, ['-q']);
        const done = exited(child);
        child.kill(signal);
        expect(await done).toEqual({ code, signal: null });
        expect(err()).toMatch(notice);
        expect(out()).toMatch(/: cancelled/);
        expect(out()).toMatch(/continue with nasx resume /);
        expect(`${out()}${err()}`).not.toMatch(STACK);
        assertJournalParses(runDir);
        expect(fs.existsSync(path.join(runDir, 'lock'))).toBe(false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );

  it('nasx run --json | head -1: the reader goes away, the run stops quietly (was an EPIPE stack trace)', async () => {
    const dir = tempDir();
    try {
      const { child, runDir, err } = await startedRun(dir, ['--json']);
      const done = exited(child);
      child.stdout.destroy(); // what head does after its first line
      const { code } = await done;
      expect([0, 141]).toContain(code);
      expect(err()).not.toMatch(STACK);
      expect(err()).not.toMatch(/EPIPE/);
      assertJournalParses(runDir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('nasx resume of a run that nasx run is still writing gets exit 2 "in use" and changes nothing', async () => {
    const dir = tempDir();
    try {
      const { child, runDir } = await startedRun(dir, ['-q']);
      const done = exited(child);
      const r = nasx(['resume', runDir, '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`run ${path.basename(runDir)} is in use by process ${child.pid}`));
      expect(r.stderr).not.toMatch(STACK);
      child.kill('SIGINT');
      expect((await done).code).toBe(130);
      assertJournalParses(runDir);
      // one writer: the journal's sequence numbers have no duplicates
      const seqs = loadJournal(path.join(runDir, 'events.ndjson')).events.map((e) => e.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
