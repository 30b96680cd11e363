// Generated from mnas.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `mnas.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const mnasSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "MnasNet controller options",
  "description": "Options of the MnasNet controller (Tan et al., CVPR 2019, sec. 4): an LSTM policy over the space's decisions, trained by policy gradient (PPO or REINFORCE) on the objective values the kernel tells, e.g. the mnas objective ACC·(LAT/T)^w.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "algorithm": {
      "enum": [
        "ppo",
        "reinforce"
      ],
      "default": "ppo",
      "description": "Policy-gradient method: \"ppo\", Proximal Policy Optimization with the clipped surrogate (Schulman et al. 2017), as MnasNet trains its controller; \"reinforce\", one REINFORCE step per batch (Williams 1992) with the moving-average baseline, as NASNet's first version and ENAS do."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000,
      "default": 10,
      "description": "Architectures sampled from the policy per update: the controller proposes a batch, waits until every result of it is told, then updates the policy and samples the next batch (failed trials are left out of the update)."
    },
    "hidden": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1024,
      "default": 100,
      "description": "Hidden units of the LSTM, which is also the size of the choice embeddings (100 as in NASNet and ENAS, whose controller MnasNet reuses)."
    },
    "lr": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1,
      "default": 0.005,
      "description": "Adam learning rate of the controller."
    },
    "ppoEpochs": {
      "type": "integer",
      "minimum": 1,
      "maximum": 100,
      "default": 4,
      "description": "PPO only: gradient steps per batch on the clipped surrogate, each over the whole batch (the ratio π/π_old is taken against the policy that sampled the batch)."
    },
    "clip": {
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1,
      "default": 0.2,
      "description": "PPO only: ε of the clipped surrogate min(ρA, clip(ρ, 1−ε, 1+ε)A), ρ = π(a)/π_old(a) (Schulman et al. 2017 use 0.2)."
    },
    "entropyWeight": {
      "type": "number",
      "minimum": 0,
      "default": 0.01,
      "description": "Weight of the entropy bonus Σ_t H(π_t) (along each sampled sequence) added to the policy objective; it keeps the policy from collapsing early. On the scale of the normalised advantages when normalizeAdvantages is on."
    },
    "baselineDecay": {
      "type": "number",
      "minimum": 0,
      "maximum": 1,
      "default": 0.9,
      "description": "Decay of the moving-average reward baseline b subtracted from each reward (advantage A = r − b): after each batch, b ← decay·b + (1 − decay)·mean(batch rewards); b starts at the first batch's mean."
    },
    "normalizeAdvantages": {
      "type": "boolean",
      "default": true,
      "description": "Divide the advantages of a batch by the standard deviation of its rewards (when above 0), so the step size does not depend on the objective's scale (accuracy in % or in [0, 1], latency penalties)."
    },
    "recommend": {
      "enum": [
        "best",
        "policy"
      ],
      "default": "best",
      "description": "The searcher's pick at the end of the run: \"best\", the architecture with the best objective told (MnasNet takes the best of the sampled models); \"policy\", the policy's greedy decoding (the likeliest choice at each step), which may not have been evaluated (falls back to the best when it is not an architecture of the space)."
    },
    "stopAfterRepeatedBatches": {
      "type": "integer",
      "minimum": 0,
      "default": 20,
      "description": "The policy has converged, and the searcher reports done, after this many batches in a row in which every sample was an architecture it had already proposed (repeats are answered from the run's cache and cost no evaluation, so a converged policy would otherwise run without end). 0: never."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type MnasOptions = OptionsFromSchema<typeof mnasSchema>;
