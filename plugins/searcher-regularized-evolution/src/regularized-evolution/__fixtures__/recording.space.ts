// Wraps a search space to record every sample/mutate call, so tests can tell which proposals
// were random samples and which were mutations of which parent.
import type { Architecture, Rng, SearchSpace } from '@nasx/contracts';

export type SpaceCall = { readonly op: 'sample'; readonly result: Architecture } | { readonly op: 'mutate'; readonly parent: Architecture; readonly result: Architecture };

export function recordingSpace(space: SearchSpace): { space: SearchSpace; calls: SpaceCall[] } {
  const calls: SpaceCall[] = [];
  return {
    calls,
    space: {
      ...space,
      sample(rng: Rng) {
        const result = space.sample(rng);
        calls.push({ op: 'sample', result });
        return result;
      },
      mutate(parent: Architecture, rng: Rng) {
        const result = space.mutate(parent, rng);
        calls.push({ op: 'mutate', parent, result });
        return result;
      },
    },
  };
}
