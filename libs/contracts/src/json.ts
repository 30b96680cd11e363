/** Any JSON value. Genotypes, options and event payloads are JSON so runs can be journaled and replayed. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/**
 * A JSON Schema document (draft 2020-12 or draft-07 subset understood by ajv).
 * Kept structural so plugins can declare schemas as plain JSON files.
 */
export type JsonSchema = { [key: string]: unknown };
