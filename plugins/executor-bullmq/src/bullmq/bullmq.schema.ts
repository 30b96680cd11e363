// Generated from bullmq.schema.json by tools/scripts/schema-types.cjs; do not edit.
// The JSON file is the source of truth (the package manifest points at it); this gives it a
// literal type so the options type below is derived from it, never written by hand.
import type { OptionsFromSchema } from '@nasx/contracts';

/** The options schema `bullmq.schema.json`, as a literal (kept as generated: its spec compares it byte for byte). */
// prettier-ignore
export const bullmqSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "BullMQ executor options",
  "description": "Options of the bullmq executor: where the Redis server is and how jobs are queued, leased and retried. The same options serve the run (executor: in the config) and `nasx worker` (its flags).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "redis": {
      "type": "string",
      "pattern": "^rediss?://",
      "default": "redis://127.0.0.1:6379",
      "description": "The Redis server: redis://[user[:password]@]host[:port][/db], or rediss://… for TLS. Prefer passwordEnv to a password written here."
    },
    "passwordEnv": {
      "type": "string",
      "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
      "default": "NASX_REDIS_PASSWORD",
      "description": "Environment variable holding the Redis password (AUTH), used when the URL has none."
    },
    "tls": {
      "type": "object",
      "additionalProperties": false,
      "description": "TLS settings (implied by a rediss:// URL): PEM files relative to the config file (or the working directory for nasx worker).",
      "properties": {
        "ca": {
          "type": "string",
          "minLength": 1,
          "description": "Certificate authority file (PEM) that signed the server's certificate."
        },
        "cert": {
          "type": "string",
          "minLength": 1,
          "description": "Client certificate file (PEM), for servers that require one."
        },
        "key": {
          "type": "string",
          "minLength": 1,
          "description": "Client private key file (PEM)."
        },
        "rejectUnauthorized": {
          "type": "boolean",
          "default": true,
          "description": "Refuse a server certificate that does not verify (false only for tests)."
        }
      }
    },
    "queue": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]*$",
      "default": "nasx",
      "description": "Prefix of the queues: jobs for estimator E go to queue <queue>.<E> (and <queue>.<E>.<backend> when backend is set); runs and workers must use the same prefix."
    },
    "backend": {
      "type": "string",
      "minLength": 1,
      "description": "Run the estimates only on workers that have this tensor backend (e.g. onednn, wasm); default: any worker."
    },
    "batchSize": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000,
      "default": 1,
      "description": "Trials per job. 1 spreads trials over workers one by one (training); for table lookups 16–64 cuts the queue's overhead per trial."
    },
    "leaseSeconds": {
      "type": "number",
      "minimum": 0.5,
      "default": 30,
      "description": "A worker holds a job under a lease it renews; a job whose worker died goes back to the queue once its lease expires."
    },
    "attempts": {
      "type": "integer",
      "minimum": 1,
      "default": 3,
      "description": "Tries per job when the infrastructure fails (a worker died, a lease expired, Redis went away). An estimator's own error fails its trial at once, as in-process."
    },
    "backoffSeconds": {
      "type": "number",
      "minimum": 0,
      "default": 1,
      "description": "First delay before retrying a failed job; doubled on each further try."
    },
    "connectSeconds": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 5,
      "description": "How long to try reaching Redis before giving up with an error."
    },
    "workerWaitSeconds": {
      "type": "number",
      "exclusiveMinimum": 0,
      "default": 60,
      "description": "How long a run waits for a worker able to run its estimator to answer, at the start, before failing with an error."
    },
    "concurrency": {
      "type": "integer",
      "minimum": 1,
      "maximum": 256,
      "default": 1,
      "description": "nasx worker: jobs one worker process runs at once (they share its thread: more than 1 only helps estimators that wait, not ones that compute)."
    }
  }
} as const;

/** Options after the kernel's validation (properties with a schema default are present). */
export type BullmqOptions = OptionsFromSchema<typeof bullmqSchema>;
