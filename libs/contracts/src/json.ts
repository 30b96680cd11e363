/** Any JSON value. Genotypes, options and event payloads are JSON so runs can be journaled and replayed. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/**
 * A JSON Schema document (draft 2020-12 or draft-07 subset understood by ajv).
 * Kept structural so plugins can declare schemas as plain JSON files.
 */
export type JsonSchema = { [key: string]: unknown };

/**
 * JSON with object keys sorted (and `undefined` members left out), so equal values give equal
 * text: the input of fingerprints and digests (a fitted predictor's state, a supernet's setup, an
 * executor's job).
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
