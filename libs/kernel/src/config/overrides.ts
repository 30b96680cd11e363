import { NasxError, type Json, type JsonObject } from '@nasx/contracts';
import { parse } from 'yaml';

/**
 * Apply `--set a.b.c=value` overrides (value parsed as a YAML scalar/flow value, so `20`, `true`,
 * `[1, 2]` and `{use: x}` work). An entry given as a plain id (`searcher: random`) is expanded to
 * `{ use: random }` when an override reaches into it.
 */
export function applyOverrides(data: JsonObject, overrides: readonly string[]): JsonObject {
  const out = JSON.parse(JSON.stringify(data)) as JsonObject;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new NasxError('usage', `--set "${o}" is not of the form path=value`, { fix: 'write e.g. --set searcher.options.population=20' });
    const keys = o.slice(0, eq).split('.');
    let value: Json;
    try {
      value = parse(o.slice(eq + 1)) as Json;
    } catch {
      value = o.slice(eq + 1);
    }
    let cur: JsonObject = out;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) {
        cur[k] = value;
        return;
      }
      let next = cur[k];
      if (typeof next === 'string' && keys[i + 1] === 'options') next = cur[k] = { use: next };
      if (next === undefined || next === null) next = cur[k] = {};
      if (typeof next !== 'object' || Array.isArray(next))
        throw new NasxError('usage', `--set ${o.slice(0, eq)}: "${keys.slice(0, i + 1).join('.')}" is ${JSON.stringify(next)}, not a mapping`, { fix: 'check the path against the config file' });
      cur = next as JsonObject;
    });
  }
  return out;
}
