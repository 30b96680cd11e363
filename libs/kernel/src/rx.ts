import * as path from 'node:path';
import type * as Rx from 'rxjs';

/**
 * rxjs for the kernel, loaded from its single-file bundle. rxjs's CommonJS entry requires each of
 * its 223 modules separately, which took about half a second of every `nasx` start on a loaded
 * 2-core machine; the bundle (the same 7.x build, one file) loads in a tenth of that. Observables
 * of either copy interoperate (rxjs operators and `lastValueFrom` go through `subscribe`/`lift`,
 * not `instanceof`), and only the kernel creates Observables at run time (plugins use the types).
 * Falls back to `require('rxjs')` where the bundle is missing.
 */
function load(): typeof Rx {
  /* eslint-disable @typescript-eslint/no-require-imports -- the bundle is not in rxjs's exports map, so it is required by path */
  try {
    return require(path.join(path.dirname(require.resolve('rxjs/package.json')), 'dist', 'bundles', 'rxjs.umd.js')) as typeof Rx;
  } catch {
    return require('rxjs') as typeof Rx;
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const rx = load();

export const { Observable, Subscription, concat, defer, finalize, tap } = rx;
export type Observable<T> = Rx.Observable<T>;
export type Subscription = Rx.Subscription;
export type MonoTypeOperatorFunction<T> = Rx.MonoTypeOperatorFunction<T>;
