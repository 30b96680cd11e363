import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stableJson, type Json, type LabelledArchitecture } from '@nasx/contracts';
import type { PredictorState } from '../model/graph-predictor';

/** What a predictor estimator saves in the run's state folder. */
export interface PredictorStateFile {
  /** Hash of contribution, space and options: a state is reloaded only by the same setup. */
  readonly fingerprint: string;
  readonly contribution: string;
  readonly options: Json;
  /** The labelled architectures it was fitted on (small; lets a later step refit or audit). */
  readonly data: readonly LabelledArchitecture[];
  readonly predictor: PredictorState;
}

/** JSON with object keys sorted, so equal values give equal text (the contracts' {@link stableJson}). */
export const stableStringify = stableJson;

/** A short hash of what decides a fitted predictor: contribution, space and options. */
export function predictorFingerprint(contribution: string, space: string, options: unknown): string {
  return createHash('sha256').update(stableStringify({ contribution, space, options })).digest('hex').slice(0, 16);
}

/** `<stateDir>/predictors/<contribution>-<fingerprint>.json`: one file per setup, so several predictors share a run folder. */
export function predictorStatePath(stateDir: string, contribution: string, fingerprint: string): string {
  return path.join(stateDir, 'predictors', `${contribution}-${fingerprint}.json`);
}

/** Writes the state atomically (a temporary file renamed into place), so an interrupted write leaves no half file. */
export function writePredictorState(file: string, state: PredictorStateFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** The saved state, or undefined when there is none. Throws on unreadable JSON (the caller decides). */
export function readPredictorState(file: string): PredictorStateFile | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PredictorStateFile;
}
