import { NasxError, withSchemaDefaults, type ArchGraphNode, type JsonObject } from '@nasx/contracts';
import { compileSchema, createRng, createRunLogger } from '@nasx/kernel';
import type { CliIO } from '../io';
import { openKernel } from '../kernel-factory';

const CLI = '@nasx/cli';

/** `3x32x32` → `[3, 32, 32]` (channels first). */
export function parseInputShape(text: string): number[] {
  const dims = text.split(/[x×,]/).map((d) => Number(d.trim()));
  if (dims.length < 1 || dims.length > 3 || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 4096)) {
    throw new NasxError('usage', `--input "${text}" is not an input shape`, {
      pkg: CLI,
      fix: 'give channels x height x width, e.g. --input 3x32x32 (CIFAR-10) or 1x28x28 (MNIST)',
    });
  }
  return dims;
}

/**
 * Every operator of a search space for one input shape (`SearchSpace.operators()`), the space
 * created from its plugin with `input` set when its options take one.
 */
export async function spaceOperators(io: CliIO, spaceId: string, input: readonly number[] | undefined): Promise<ArchGraphNode[]> {
  const registry = openKernel(io.cwd).registry;
  const found = registry.get('search-space', spaceId);
  if (!found) throw new NasxError('usage', `unknown search space "${spaceId}"`, { pkg: CLI, fix: registry.unknownIdHelp('search-space', spaceId) });
  const def = (await registry.activate(found)) as unknown as {
    optionsSchema: { properties?: Record<string, unknown> };
    create(options: unknown, deps: unknown): unknown;
  };
  const options: JsonObject = {};
  if (input) {
    if (!def.optionsSchema.properties?.['inputShape']) {
      throw new NasxError('usage', `the search space "${spaceId}" has no input-shape option, so --input does not apply`, {
        pkg: CLI,
        contribution: spaceId,
        fix: 'leave out --input',
      });
    }
    options['inputShape'] = [...input];
  }
  const validate = compileSchema(def.optionsSchema);
  if (!validate(options)) {
    const why = validate.errors?.map((e) => `${e.instancePath.replace(/^\//, '')} ${e.message}`).join('; ');
    throw new NasxError('usage', `--input ${input?.join('x')} does not fit the search space "${spaceId}": ${why}`, {
      pkg: CLI,
      contribution: spaceId,
      fix: `give the input shape the space takes (see nasx schema, search space "${spaceId}")`,
    });
  }
  const space = (await def.create(withSchemaDefaults(def.optionsSchema as { properties: object }, options), {
    configDir: io.cwd,
    logger: createRunLogger().logger,
    rng: createRng(0),
  })) as { operators?(): readonly ArchGraphNode[] };
  if (typeof space.operators !== 'function') {
    throw new NasxError('usage', `the search space "${spaceId}" cannot list its operators (no operators()), so it cannot be profiled`, {
      pkg: CLI,
      contribution: spaceId,
      fix: 'profile a space with network-level graphs, e.g. --space mnas',
    });
  }
  return [...space.operators()];
}
