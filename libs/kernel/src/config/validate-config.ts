import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { NasxError, type ContributionKind, type Json, type JsonObject, type ObjectiveSpec } from '@nasx/contracts';
import type { ErrorObject } from 'ajv';
import { compileSchema, describeAjvError } from '../ajv';
import { mnasExponents } from '../objective/objective';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { suggest } from '../suggest';
import type { ConfigDocument } from './config-document';
import { PIPELINE_SCHEMA } from './pipeline.schema';
import type { DedupMode, ResolvedConfig, ResolvedEntry } from './resolved-config';

function configError(doc: ConfigDocument, pointer: string, message: string, fix: string, extra: { contribution?: string; pkg?: string } = {}): NasxError {
  return new NasxError('config', message, { file: doc.file, line: doc.lineOf(pointer), pointer, fix, ...extra });
}

/** The most useful of ajv's errors: deepest path first, and not the noise of anyOf branches. */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const useful = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  const pool = useful.length ? useful : errors;
  // Deepest first; at equal depth an unknown key beats a missing one (a typo causes both), and a
  // `const` mismatch comes last: in an anyOf of objects told apart by a `type` constant, it is the
  // noise of the branches the value did not choose (objective `type: mnas` with `target: 0` must
  // report the target, not that `type` is not "metric").
  const rank = (e: ErrorObject): number =>
    e.instancePath.split('/').length * 4 + (e.keyword === 'additionalProperties' ? 2 : 0) - (e.keyword === 'const' ? 1 : 0);
  return pool.slice().sort((a, b) => rank(b) - rank(a))[0] as ErrorObject;
}

/** The parts of a JSON Schema that the fixes read. */
interface SchemaNode {
  description?: unknown;
  default?: unknown;
  properties?: Record<string, SchemaNode | undefined>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: (SchemaNode | undefined)[];
}

/** The sub-schema that validates the value at `pointer` (ajv's `instancePath`), or undefined. */
function schemaAt(schema: object, pointer: string): SchemaNode | undefined {
  let s: SchemaNode | undefined = schema;
  for (const part of pointer.split('/').slice(1)) {
    if (!s) return undefined;
    // Inside an anyOf (the objective's kinds), the first branch that has the key.
    if (Array.isArray(s.anyOf)) s = s.anyOf.find((b) => b?.properties?.[part]) ?? s;
    s = s.properties?.[part] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined) ?? s.items;
  }
  return s;
}

/** The value at a JSON pointer of `data` (ajv's `instancePath`), or undefined. */
function valueAt(data: Json, pointer: string): Json | undefined {
  let v: Json | undefined = data;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? v[Number(key)] : (v as JsonObject)[key];
  }
  return v;
}

/**
 * What is wrong at the error's place, for a value named `name` ("dedup", option "population"): an
 * enum mismatch quotes the value given, so the user sees what was read.
 */
function whatIsWrong(e: ErrorObject, name: string, data: Json): string {
  const given = valueAt(data, e.instancePath);
  if (e.keyword === 'enum' && given !== undefined) {
    const allowed = (e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return `${name} is ${JSON.stringify(given)}, which is not one of ${allowed}`;
  }
  return `${name} ${describeAjvError(e)}`;
}

/** The schema's description (as " (…)") and default (as ", e.g. the default …") of the value at `pointer`, for a fix. */
function aboutValue(schema: object, pointer: string): { desc: string; example: string } {
  const sub = schemaAt(schema, pointer);
  return {
    desc: sub?.description ? ` (${String(sub.description).replace(/\.$/, '')})` : '',
    example: sub?.default !== undefined ? `, e.g. the default ${JSON.stringify(sub.default)}` : '',
  };
}

/** "a number", "an integer": a JSON type as a noun. */
function typeNoun(type: unknown): string {
  const t = Array.isArray(type) ? type.join(' or ') : String(type);
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/**
 * The alternatives a value matched none of, when `e` comes from a choice (`anyOf` / `oneOf`, e.g.
 * "worst" or a number) whose every branch rejected the value's type or constant: `["\"worst\"",
 * "a number"]`. Undefined when a branch failed on something else (a number below its minimum
 * reports that instead).
 */
function choiceAt(errors: readonly ErrorObject[], e: ErrorObject): string[] | undefined {
  const choice = errors.find((x) => (x.keyword === 'anyOf' || x.keyword === 'oneOf') && x.instancePath === e.instancePath);
  if (!choice) return undefined;
  const branches = errors.filter((x) => x.instancePath === e.instancePath && x.schemaPath.startsWith(`${choice.schemaPath}/`));
  if (!branches.length || !branches.every((x) => x.keyword === 'type' || x.keyword === 'const' || x.keyword === 'enum')) return undefined;
  const out: string[] = [];
  for (const x of branches) {
    const items =
      x.keyword === 'type'
        ? [typeNoun(x.params['type'])]
        : x.keyword === 'const'
          ? [JSON.stringify(x.params['allowedValue'])]
          : (x.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v));
    for (const i of items) if (!out.includes(i)) out.push(i);
  }
  return out.length > 1 ? out : undefined;
}

/** What is wrong and how to fix it, for the error picked from `errors`. */
function explainError(errors: readonly ErrorObject[], e: ErrorObject, name: string, schema: object, data: Json): { what: string; fix: string } {
  const choice = choiceAt(errors, e);
  if (!choice) return { what: whatIsWrong(e, name, data), fix: fixFor(e, schema, data) };
  const given = valueAt(data, e.instancePath);
  const { desc, example } = aboutValue(schema, e.instancePath);
  return {
    what: `${name} is ${JSON.stringify(given)}, which is neither ${choice.join(' nor ')}`,
    fix: `give ${orList(choice)}${desc}${example}`,
  };
}

function fixFor(e: ErrorObject, schema: object, data?: Json): string {
  if (e.keyword === 'additionalProperties') {
    const allowed = Object.keys(schemaAt(schema, e.instancePath)?.properties ?? {});
    const close = suggest(String(e.params['additionalProperty']), allowed);
    return close.length
      ? `did you mean "${close[0]}"? Allowed here: ${allowed.join(', ')}`
      : allowed.length
        ? `remove it; allowed here: ${allowed.join(', ')}`
        : 'remove it; this takes no options';
  }
  const { desc, example } = aboutValue(schema, e.instancePath);
  if (e.keyword === 'type') return `give a value of type ${String(e.params['type'])}${desc}${example}`;
  if (e.keyword === 'enum') {
    const allowed = e.params['allowedValues'] as unknown[];
    const given = data === undefined ? undefined : valueAt(data, e.instancePath);
    const close =
      typeof given === 'string'
        ? suggest(
            given,
            allowed.filter((v): v is string => typeof v === 'string'),
          )
        : [];
    const list = allowed.map((v) => JSON.stringify(v)).join(', ');
    return close.length ? `did you mean "${close[0]}"? Allowed here: ${list}${desc}` : `use one of ${list}${desc}`;
  }
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(e.keyword))
    return `give a value ${String(e.params['comparison'])} ${String(e.params['limit'])}${desc}${example}`;
  if (e.keyword === 'required') return `add "${String(e.params['missingProperty'])}"`;
  return `see "nasx schema" for what is allowed here${desc}`;
}

function entryParts(value: Json | undefined): { id: string; options: JsonObject; idPointer: string } {
  if (typeof value === 'string') return { id: value, options: {}, idPointer: '' };
  const v = value as JsonObject;
  return { id: v['use'] as string, options: (v['options'] as JsonObject) ?? {}, idPointer: '/use' };
}

function resolveEntry(doc: ConfigDocument, registry: PluginRegistry, kind: ContributionKind, pointer: string, value: Json | undefined): ResolvedEntry {
  const { id, options, idPointer } = entryParts(value);
  const contribution = registry.get(kind, id);
  if (!contribution) {
    throw configError(doc, pointer + idPointer, `unknown ${kind} "${id}"`, registry.unknownIdHelp(kind, id));
  }
  const copy = JSON.parse(JSON.stringify(options)) as JsonObject;
  let valid: boolean;
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(contribution.optionsSchema);
    valid = validate(copy) as boolean;
  } catch (e) {
    // A schema that refers to itself without end overflows the stack: the plugin's fault, not an internal error.
    if (!(e instanceof RangeError)) throw e;
    throw new NasxError('plugin', `the options schema of ${kind} "${id}" refers to itself without end ($ref cycle), so no options can be checked against it`, {
      file: contribution.schemaFile || undefined,
      pkg: contribution.plugin.name,
      contribution: id,
      fix: `fix the schema of ${contribution.plugin.name} (a "$ref" must not lead back to itself without a property in between), or use another ${kind}`,
    });
  }
  if (!valid) {
    const e = pickError(validate.errors ?? []);
    const optionsPointer = typeof value === 'string' ? pointer : `${pointer}/options`;
    const ptr = `${optionsPointer}${e.instancePath}${e.keyword === 'additionalProperties' ? `/${String(e.params['additionalProperty'])}` : ''}`;
    const { what, fix } =
      e.keyword === 'additionalProperties' || !e.instancePath
        ? { what: describeAjvError(e), fix: fixFor(e, contribution.optionsSchema, copy) }
        : explainError(validate.errors ?? [], e, `option "${e.instancePath.slice(1).replace(/\//g, '.')}"`, contribution.optionsSchema, copy);
    throw configError(doc, ptr, what, fix, {
      contribution: id,
      pkg: contribution.plugin.name,
    });
  }
  return { kind, pointer, id, options: copy, contribution };
}

/**
 * Validate a config in two steps: the pipeline skeleton, then each selected contribution's options
 * against its own schema (so errors name the contribution and the option, with the line).
 */
export function validateConfig(doc: ConfigDocument, data: JsonObject, registry: PluginRegistry, opts: { estimationOnly?: boolean } = {}): ResolvedConfig {
  const skeleton = JSON.parse(JSON.stringify(data)) as JsonObject;
  const validate = compileSchema(PIPELINE_SCHEMA);
  if (!validate(skeleton)) {
    const e = pickError(validate.errors ?? []);
    const ptr = `${e.instancePath}${e.keyword === 'additionalProperties' ? `/${String(e.params['additionalProperty'])}` : ''}`;
    const { what, fix } = e.instancePath
      ? explainError(validate.errors ?? [], e, `"${e.instancePath.slice(1).replace(/\//g, '.')}"`, PIPELINE_SCHEMA, skeleton)
      : { what: describeAjvError(e), fix: fixFor(e, PIPELINE_SCHEMA, skeleton) };
    throw configError(doc, ptr, what, fix);
  }
  const budget = skeleton['budget'] as { evaluations?: number; seconds?: number; failures: number; trialSeconds?: number };
  if (budget.evaluations === undefined && budget.seconds === undefined) {
    throw configError(doc, '/budget', 'the budget sets neither evaluations nor seconds', 'add "evaluations: <n>" and/or "seconds: <s>" under budget');
  }
  const estimators: Record<string, ResolvedEntry> = {};
  for (const [name, v] of Object.entries((skeleton['estimators'] as JsonObject) ?? {})) {
    estimators[name] = resolveEntry(doc, registry, 'estimator', `/estimators/${name}`, v);
  }
  const report = (skeleton['report'] as string[] | undefined) ?? [];
  report.forEach((name, i) => {
    if (!estimators[name]) {
      throw configError(
        doc,
        `/report/${i}`,
        `report names estimator "${name}", which estimators does not define`,
        Object.keys(estimators).length
          ? `use one of ${Object.keys(estimators).join(', ')}`
          : 'define it under estimators, e.g. "estimators: { table: { use: tabular } }"',
      );
    }
  });
  const dataDirRaw = skeleton['dataDir'] as string | undefined;
  const estimator = resolveEntry(doc, registry, 'estimator', '/estimator', skeleton['estimator']);
  // A worker of an executor composes the estimation only.
  const executor =
    skeleton['executor'] === undefined || opts.estimationOnly ? undefined : resolveEntry(doc, registry, 'executor', '/executor', skeleton['executor']);
  if (executor && typeof skeleton['workers'] === 'number' && skeleton['workers'] > 0) {
    throw configError(
      doc,
      '/workers',
      `workers: ${skeleton['workers']} asks for worker threads, but executor "${executor.id}" runs the estimates elsewhere`,
      'remove workers (each `nasx worker` process evaluates one job at a time, or as many as its --concurrency), or remove executor',
    );
  }
  const workers = executor ? 0 : resolveWorkers(doc, skeleton['workers'] as number | 'auto', estimator);
  const concurrency = skeleton['concurrency'] === 'auto' ? (executor ? EXECUTOR_CONCURRENCY : Math.max(1, workers)) : (skeleton['concurrency'] as number);
  const resolved: ResolvedConfig = {
    file: doc.file,
    dir: doc.dir,
    data,
    name: (skeleton['name'] as string) ?? path.basename(doc.file).replace(/\.(ya?ml|json)$/i, ''),
    seed: skeleton['seed'] as number,
    // NASX_DATA is relative to the working directory; the config's dataDir to the config file.
    dataDir: dataDirRaw !== undefined ? path.resolve(doc.dir, dataDirRaw) : process.env['NASX_DATA'] ? path.resolve(process.env['NASX_DATA']) : undefined,
    space: resolveEntry(doc, registry, 'search-space', '/space', skeleton['space']),
    task: skeleton['task'] === undefined ? undefined : resolveEntry(doc, registry, 'task', '/task', skeleton['task']),
    estimator,
    estimators,
    report,
    latency: ((skeleton['latency'] as Json[]) ?? []).map((v, i) => resolveEntry(doc, registry, 'latency-model', `/latency/${i}`, v)),
    // An estimator worker composes no searcher and may not have its package: it gets a placeholder.
    searcher: opts.estimationOnly
      ? placeholderEntry('searcher', '/searcher', skeleton['searcher'])
      : resolveEntry(doc, registry, 'searcher', '/searcher', skeleton['searcher']),
    ...(executor ? { executor } : {}),
    objective: normaliseObjective(doc, skeleton['objective']),
    budget,
    concurrency,
    workers,
    dedup: dedupMode(skeleton['dedup'] as boolean | 'canonical' | 'exact', ((skeleton['latency'] as Json[]) ?? []).length > 0),
    runsDir: skeleton['runsDir'] as string,
    lineOf: (p) => doc.lineOf(p),
  };
  return resolved;
}

/** Trials in flight with an executor and `concurrency: auto` (fixed, so the run does not depend on how many workers serve it). */
export const EXECUTOR_CONCURRENCY = 16;

/** `dedup: true` is canonical, or exact when the run has latency models; false is off. */
function dedupMode(value: boolean | 'canonical' | 'exact', hasLatency: boolean): DedupMode {
  if (value === false) return 'off';
  if (value === true) return hasLatency ? 'exact' : 'canonical';
  return value;
}

function placeholderEntry(kind: ContributionKind, pointer: string, value: Json | undefined): ResolvedEntry {
  const { id } = entryParts(value);
  return { kind, pointer, id, options: {}, contribution: undefined as unknown as ResolvedEntry['contribution'] };
}

/**
 * "auto": one worker per core for estimators declared compute-heavy, in-process otherwise. An
 * estimator whose manifest names a `threadsOption` (data-parallel replicas) keeps that many threads
 * busy per estimate: "auto" then gives ⌊cores / threads⌋ workers, and more threads than cores in
 * all (workers × threads, or threads alone in-process) is refused. Replicas meet at a barrier
 * twice per step, so one replica time-sliced with another thread stalls all of them: an
 * oversubscribed step is slower than one with fewer replicas, never faster.
 */
function resolveWorkers(doc: ConfigDocument, value: number | 'auto', estimator: ResolvedEntry): number {
  const inline = estimator.contribution.plugin.source === 'inline';
  const threadsOption = estimator.contribution.threadsOption;
  const rawThreads = threadsOption ? (estimator.options as JsonObject)[threadsOption] : undefined;
  const threads = typeof rawThreads === 'number' && rawThreads >= 1 ? rawThreads : 1;
  const cores = Math.max(1, availableParallelism());
  if (value === 'auto') {
    if (threads > cores) throw oversubscribed(doc, estimator, threadsOption!, threads, 1, cores);
    return estimator.contribution.workers && !inline ? Math.max(1, Math.floor(cores / threads)) : 0;
  }
  if (value > 0 && inline) {
    throw configError(
      doc,
      '/workers',
      `estimator "${estimator.id}" is defined in code (not an installed package), so worker threads cannot load it`,
      'set workers: 0, or install the estimator as a package',
    );
  }
  if (threads > 1 && Math.max(1, value) * threads > cores) throw oversubscribed(doc, estimator, threadsOption!, threads, value, cores);
  return value;
}

function oversubscribed(doc: ConfigDocument, estimator: ResolvedEntry, option: string, threads: number, workers: number, cores: number): NasxError {
  const pointer = `${estimator.pointer}/options/${option}`;
  const inWorkers = workers > 0 ? `${workers} worker${workers === 1 ? '' : 's'} × ` : '';
  const fitWorkers = Math.floor(cores / threads);
  return configError(
    doc,
    pointer,
    `${inWorkers}${threads} ${option} threads of estimator "${estimator.id}" need ${Math.max(1, workers) * threads} cores, this machine has ${cores}; replicas wait for each other every step, so sharing cores makes training slower`,
    fitWorkers >= 1
      ? `set ${option} to at most ${Math.floor(cores / Math.max(1, workers))}${workers > 1 ? `, or workers to at most ${fitWorkers}` : ''} (workers: auto picks ${fitWorkers})`
      : `set ${option} to at most ${cores}`,
    { contribution: estimator.id, pkg: estimator.contribution.plugin.name },
  );
}

function normaliseObjective(doc: ConfigDocument, v: Json | undefined): ObjectiveSpec | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return { metric: v };
  const spec = v as unknown as ObjectiveSpec;
  // What the schema cannot say (a preset contradicted, an exponent above 0), before any plugin loads.
  if (spec.type === 'mnas') mnasExponents(spec, { file: doc.file, lineOf: (p) => doc.lineOf(p) ?? doc.lineOf('/objective') });
  return spec;
}
