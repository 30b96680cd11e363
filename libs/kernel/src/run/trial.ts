import type { Architecture, Estimate, Fidelity, ObjectiveValue, ProposalParent } from '@nasx/contracts';

/** A proposal being evaluated. */
export interface Trial {
  readonly trial: number;
  readonly arch: Architecture;
  readonly fidelity?: Fidelity;
  /** The evaluated architecture it was derived from (a {@link DerivedProposal}'s parent). */
  readonly parent?: ProposalParent;
}

/** How a trial ended. */
export type TrialOutcome =
  { readonly ok: true; readonly estimate: Estimate; readonly objective: ObjectiveValue } | { readonly ok: false; readonly error: string };

/** An evaluation in progress; `cached` when answered from an earlier trial. */
export interface TrialRun {
  readonly outcome: Promise<TrialOutcome>;
  readonly cached?: boolean;
}

/** Evaluates one trial. */
export type EvaluateFn = (trial: Trial) => TrialRun;

/** Wraps the evaluation path (Koa-style): dedup, caching, retries. */
export type EvaluateMiddleware = (next: EvaluateFn) => EvaluateFn;
