import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type JsonObject } from '@nasx/contracts';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

/** Alias expansions allowed in a config file (YAML's "billion laughs" defence). */
const MAX_ALIAS_COUNT = 100;
/** Characters of JSON a config may expand to. */
const MAX_CONFIG_CHARS = 10_000_000;

/** JSON pointer of the first place where a value contains itself (an alias of an enclosing anchor), if any. */
function aliasLoop(value: unknown, stack: object[] = [], pointer = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (stack.includes(value)) return pointer;
  stack.push(value);
  for (const [k, v] of Object.entries(value)) {
    const found = aliasLoop(v, stack, `${pointer}/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found !== undefined) return found;
  }
  stack.pop();
  return undefined;
}

/** 1-based line of the first alias in the document. */
function firstAliasLine(doc: Document, lines: LineCounter): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at === undefined ? undefined : lines.linePos(at).line;
}

/** A parsed config file that can say on which line a JSON pointer lies. */
export class ConfigDocument {
  private constructor(
    readonly file: string,
    readonly data: JsonObject,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
    private readonly baseDir?: string,
  ) {}

  /** Directory relative paths in the config resolve against: the file's, or the original config's for a saved run. */
  get dir(): string {
    return this.baseDir ?? path.dirname(this.file);
  }

  /** Read and parse a YAML or JSON file; syntax errors become `NasxError('config')` with line and column. */
  static read(file: string): ConfigDocument {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new NasxError('config', code === 'ENOENT' ? 'config file not found' : `cannot read config file (${(e as Error).message})`, {
        file,
        fix: 'pass the path of a pipeline config (YAML or JSON), e.g. examples/nb201-rea.yaml',
      });
    }
    return ConfigDocument.parse(text, file);
  }

  /** Parse config text (YAML 1.2; JSON is accepted as YAML). */
  static parse(text: string, file: string): ConfigDocument {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const msg = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+.*$/, '') ?? 'syntax error';
      throw new NasxError('config', `invalid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${msg}`, {
        file,
        line: pos?.line,
        column: pos?.col,
        fix: 'repair the syntax at that line (check indentation, colons after keys and closing brackets/quotes)',
      });
    }
    let data: unknown;
    try {
      // The alias cap stops "billion laughs" bombs (aliases of aliases expanding exponentially).
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      throw new NasxError(
        'config',
        `YAML aliases expand too far (${(e as Error).message.replace(/\.$/, '')}; at most ${MAX_ALIAS_COUNT} alias expansions are allowed)`,
        {
          file,
          line: firstAliasLine(doc, lines),
          fix: 'write the repeated values out, or use fewer nested aliases (*name)',
        },
      );
    }
    const loop = aliasLoop(data);
    if (loop !== undefined) {
      throw new NasxError('config', `a YAML alias refers to a node that contains it, so the config would be infinitely deep (at ${loop || '/'})`, {
        file,
        line: firstAliasLine(doc, lines),
        pointer: loop,
        fix: 'an alias (*name) may only refer to an anchor (&name) outside of itself; write the value out instead',
      });
    }
    const size = JSON.stringify(data)?.length ?? 0;
    if (size > MAX_CONFIG_CHARS) {
      throw new NasxError(
        'config',
        `the config expands to ${size.toLocaleString('en-US')} characters of data (at most ${MAX_CONFIG_CHARS.toLocaleString('en-US')}); YAML aliases multiply what they refer to`,
        {
          file,
          fix: 'use fewer aliases, or put large data in a file an option names',
        },
      );
    }
    if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
      throw new NasxError('config', 'the config must be a mapping of keys (space, estimator, searcher, budget, …)', {
        file,
        line: 1,
        fix: 'start from examples/nb201-rea.yaml',
      });
    }
    return new ConfigDocument(file, data as JsonObject, doc, lines);
  }

  /**
   * A document from an in-memory object (no line information). `dir` is where its relative paths
   * resolve when that is not the file's folder (a run's saved config resolves against the folder of
   * the config the run was started from).
   */
  static fromObject(data: JsonObject, file = '<inline config>', dir?: string): ConfigDocument {
    return new ConfigDocument(file, JSON.parse(JSON.stringify(data)) as JsonObject, undefined, undefined, dir);
  }

  /** 1-based line of the deepest node on the path of `pointer` that exists in the file. */
  lineOf(pointer: string): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    const parts = pointer
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let best: number | undefined = node?.range ? node.range[0] : undefined;
    for (const part of parts) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === part);
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (keyNode?.range) best = keyNode.range[0];
        node = pair.value as Node | null;
        if (node?.range && !isMap(node) && !isSeq(node)) best = node.range[0];
      } else if (isSeq(node)) {
        const item = node.items[Number(part)] as Node | undefined;
        if (!item) break;
        node = item;
        if (item.range) best = item.range[0];
      } else break;
    }
    return best === undefined ? undefined : this.lines.linePos(best).line;
  }
}
