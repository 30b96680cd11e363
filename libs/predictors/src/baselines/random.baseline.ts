import type { Architecture } from '@nasx/contracts';
import { SeededRandom } from '@nasx/tensor';
import type { BaselinePredictor } from './baseline';

/** A random ranking: seeded uniform scores that ignore the data (the floor every predictor must clear). */
export class RandomRankingBaseline implements BaselinePredictor {
  constructor(private readonly seed = 0) {}

  fit(): void {}

  predict(archs: readonly Architecture[]): Float64Array {
    const rng = new SeededRandom(this.seed, 'random-ranking');
    return Float64Array.from(archs, () => rng.next());
  }
}
