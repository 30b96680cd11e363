import { NasxError, type NasxErrorKind } from '@nasx/contracts';

/** Package name, for error locations. */
export const PREDICTORS_PACKAGE = '@nasx/predictors';

/** A `NasxError` located in this package (callers add the contribution with `.at()`). */
export function predictorError(kind: NasxErrorKind, message: string, fix: string): NasxError {
  return new NasxError(kind, message, { pkg: PREDICTORS_PACKAGE, fix });
}
