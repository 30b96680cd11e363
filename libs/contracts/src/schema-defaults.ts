/**
 * Options as code outside the kernel may give them to {@link withSchemaDefaults}: any property
 * may be left out, at any depth (the schema's defaults fill what it has defaults for).
 */
export type OptionsInput<O> = {
  [K in keyof O]?: NonNullable<O[K]> extends readonly unknown[] ? O[K] : NonNullable<O[K]> extends object ? OptionsInput<NonNullable<O[K]>> : O[K];
};

type SchemaNode = { default?: unknown; properties?: { [k: string]: SchemaNode } };

/**
 * The schema's defaults under the given options: what the kernel's validation produces, for when
 * `create` is called without the kernel (tests, scripts). Like ajv's `useDefaults`, a default of
 * a nested object's property is filled in when that object is given.
 */
export function withSchemaDefaults<O>(schema: { properties: object }, options: OptionsInput<O> | undefined): O {
  return fill(schema as SchemaNode, options ?? {}) as O;
}

function fill(schema: SchemaNode, options: object): { [k: string]: unknown } {
  const out: { [k: string]: unknown } = {};
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    if (p.default !== undefined) out[k] = structuredClone(p.default);
  }
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    const p = schema.properties?.[k];
    out[k] = p?.properties && v !== null && typeof v === 'object' && !Array.isArray(v) ? fill(p, v) : v;
  }
  return out;
}
