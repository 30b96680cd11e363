import { NasxError } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { nb201SupernetBuilder } from './nb201.supernet';
import type { Supernet, SupernetBuilder, SupernetOptions } from './supernet';

/** The supernet builders nasx ships, one per search space; registered ones come first. */
const builders: SupernetBuilder[] = [nb201SupernetBuilder];

/** Adds a supernet builder (a space plugin's own); a later one for the same space wins. */
export function registerSupernetBuilder(builder: SupernetBuilder): void {
  builders.unshift(builder);
}

/** The supernet builder for `space`, or a `NasxError` naming the spaces that have one. */
export function findSupernetBuilder(space: string): SupernetBuilder {
  const found = builders.find((b) => b.space === space);
  if (found) return found;
  throw new NasxError('config', `search space "${space}" has no supernet builder, so its architectures cannot share weights`, {
    pkg: TENSOR_PACKAGE,
    fix: `weight-sharing estimators run on ${[...new Set(builders.map((b) => b.space))].join(', ') || 'no space'}; for another space, implement SupernetBuilder and register it with registerSupernetBuilder()`,
  });
}

/** The spaces with a supernet builder. */
export function supernetSpaces(): string[] {
  return [...new Set(builders.map((b) => b.space))];
}

/** Builds the supernet of `space` for a task. Needs `await initTensorBackend()` first. */
export function buildSupernet(space: string, options: SupernetOptions): Supernet {
  return findSupernetBuilder(space).build(options);
}
