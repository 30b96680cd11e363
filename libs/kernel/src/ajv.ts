import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The one ajv factory of nasx: all errors, defaults filled in, strict about unknown keywords so a
 * typo in a plugin's schema fails at load time.
 */
export function createAjv(): Ajv {
  return new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
}

let shared: Ajv | undefined;
const cache = new WeakMap<object, ValidateFunction>();

/** Compile (once per schema object) with the shared instance. */
export function compileSchema(schema: object): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    shared ??= createAjv();
    fn = shared.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** Human text for one ajv error, without the pointer (callers print that with the line). */
export function describeAjvError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown option "${String(p['additionalProperty'])}"`;
    case 'required':
      return `missing required property "${String(p['missingProperty'])}"`;
    case 'type':
      return `must be ${String(p['type'])}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    default:
      return e.message ?? e.keyword;
  }
}
