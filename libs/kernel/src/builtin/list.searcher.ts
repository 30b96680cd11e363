import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, defineSearcher, isNasxError, type Architecture, type AskTellSearcher } from '@nasx/contracts';

/** Options of the `list` searcher. */
export interface ListSearcherOptions {
  archs?: string[];
  file?: string;
  all?: boolean;
}

/**
 * Proposes given architectures in order, then finishes: scoring a list (`nasx score`), re-evaluating
 * results, or seeding a study the way Optuna's `enqueue_trial` does. Architectures come as text
 * (`archs`), a file with one per line (`#` starts a comment), or the whole space (`all`).
 */
export const listSearcher = defineSearcher<ListSearcherOptions>({
  id: 'list',
  title: 'Given architectures, in order',
  description: 'Proposes the architectures of a list (inline, a file, or the whole space) in order, then finishes.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      archs: { type: 'array', items: { type: 'string' }, default: [], description: "Architectures in the space's text form." },
      file: { type: 'string', description: 'A file with one architecture per line (relative to the config file); # starts a comment.' },
      all: { type: 'boolean', default: false, description: 'Every architecture of the space (it must be enumerable).' },
    },
  },
  create(o, deps): AskTellSearcher {
    const archs: Architecture[] = [];
    const parse = (text: string, where: { file?: string; line?: number; pointer?: string }): void => {
      try {
        archs.push(deps.space.parse(text));
      } catch (e) {
        if (isNasxError(e)) throw new NasxError(e.kind, e.message, { ...where, fix: e.fix });
        throw e;
      }
    };
    (o.archs ?? []).forEach((t, i) => parse(t, { pointer: `/options/archs/${i}` }));
    if (o.file) {
      const file = path.resolve(deps.configDir, o.file);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        throw new NasxError('data', `cannot read the architecture list ${file}`, {
          pointer: '/options/file',
          fix: 'give an existing file with one architecture per line',
        });
      }
      text.split('\n').forEach((raw, i) => {
        const line = raw.replace(/#.*$/, '').trim();
        if (line) parse(line, { file, line: i + 1 });
      });
    }
    if (o.all) {
      if (!deps.space.enumerate)
        throw new NasxError('config', `search space "${deps.space.id}" cannot enumerate its architectures`, {
          pointer: '/options/all',
          fix: 'list the architectures with archs or file instead',
        });
      for (const a of deps.space.enumerate()) archs.push(a);
    }
    if (archs.length === 0) throw new NasxError('config', 'the list is empty', { fix: 'give archs, a file, or all: true' });
    let next = 0;
    return {
      id: 'list',
      ask: (n) => archs.slice(next, (next = Math.min(archs.length, next + n))),
      tell: () => undefined,
      done: () => next >= archs.length,
    };
  },
});
