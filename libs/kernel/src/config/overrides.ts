import { NasxError, type Json, type JsonObject } from '@nasx/contracts';
import { parse } from 'yaml';

/** Keys that reach into JavaScript's object machinery rather than into the config (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
    const bad = keys.find((k) => FORBIDDEN_KEYS.has(k));
    if (bad !== undefined) {
      throw new NasxError('usage', `--set ${o.slice(0, eq)}: "${bad}" cannot be a config key (it would change how every object behaves)`, {
        fix: 'set a key of the config, e.g. --set searcher.options.population=20 (see nasx schema)',
      });
    }
    if (keys.some((k) => k === '')) {
      throw new NasxError('usage', `--set ${o.slice(0, eq)}: empty key in the path`, {
        fix: 'write keys separated by single dots, e.g. --set searcher.options.population=20',
      });
    }
    let value: Json;
    try {
      value = parse(o.slice(eq + 1)) as Json;
    } catch {
      value = o.slice(eq + 1);
    }
    if (containsForbiddenKey(value)) {
      throw new NasxError('usage', `--set ${o.slice(0, eq)}: the value has a key "__proto__", "constructor" or "prototype"`, {
        fix: 'remove that key from the value',
      });
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
        throw new NasxError('usage', `--set ${o.slice(0, eq)}: "${keys.slice(0, i + 1).join('.')}" is ${JSON.stringify(next)}, not a mapping`, {
          fix: 'check the path against the config file',
        });
      cur = next as JsonObject;
    });
  }
  return out;
}

function containsForbiddenKey(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  return Object.keys(v).some((k) => FORBIDDEN_KEYS.has(k) || containsForbiddenKey((v as Record<string, unknown>)[k]));
}
