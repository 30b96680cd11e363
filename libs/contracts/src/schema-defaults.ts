/**
 * The schema's defaults under the given options: what the kernel's validation produces, for when
 * `create` is called without the kernel (tests, scripts).
 */
export function withSchemaDefaults<O>(schema: { properties: object }, options: Partial<O> | undefined): O {
  const out: { [k: string]: unknown } = {};
  for (const [k, p] of Object.entries(schema.properties as { [k: string]: { default?: unknown } })) {
    if (p.default !== undefined) out[k] = structuredClone(p.default);
  }
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined) out[k] = v;
  return out as O;
}
