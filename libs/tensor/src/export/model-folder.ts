/**
 * A TensorFlow.js model in a folder, the layout `tf.loadLayersModel('file://…/model.json')`
 * (tfjs-node) and a browser (`http://…/model.json`) read: `model.json` (topology, weights manifest,
 * user metadata) beside one weights file, `group1-shard1of1.bin`. nasx does not depend on
 * tfjs-node, whose `file://` handler this replaces for saving and loading in Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TENSOR_PACKAGE } from '../backend/backend';

/** File names of a saved model. */
export const MODEL_FILES = { topology: 'model.json', weights: 'group1-shard1of1.bin' } as const;

/** What {@link modelFolder} wrote. */
export interface SavedModelFiles {
  readonly dir: string;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

function modelJsonError(file: string, problem: string): NasxError {
  return new NasxError('data', `${file} is not a TensorFlow.js model: ${problem}`, {
    pkg: TENSOR_PACKAGE,
    file,
    fix: 'point at the folder of a model written by "nasx export" (model.json and its .bin weights)',
  });
}

/**
 * An IOHandler that saves a model into `dir` (created if missing; files of the same names are
 * replaced) and loads it back. `tf.io.withSaveHandler`'s artifacts become `model.json` +
 * `group1-shard1of1.bin`, as tfjs-node writes them.
 *
 * @example
 * await model.save(modelFolder('out/best'));
 * const again = await tf.loadLayersModel(modelFolder('out/best'));
 */
export function modelFolder(dir: string): tf.io.IOHandler & { readonly saved?: SavedModelFiles } {
  const handler = {
    saved: undefined as SavedModelFiles | undefined,
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer)
        throw new Error(`${TENSOR_PACKAGE}: modelFolder saves layers models (a JSON topology), not graph models`);
      const weights = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const text = JSON.stringify(modelJson);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, MODEL_FILES.weights), weights);
      fs.writeFileSync(path.join(dir, MODEL_FILES.topology), text);
      handler.saved = {
        dir,
        files: [
          { name: MODEL_FILES.topology, bytes: Buffer.byteLength(text) },
          { name: MODEL_FILES.weights, bytes: weights.byteLength },
        ],
      };
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, MODEL_FILES.topology);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code) throw new NasxError('data', `cannot read ${file} (${code})`, { pkg: TENSOR_PACKAGE, file, fix: 'give the folder nasx export wrote' });
        throw modelJsonError(file, `invalid JSON (${(e as Error).message})`);
      }
      if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest))
        throw modelJsonError(file, 'no modelTopology or weightsManifest');
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) =>
          group.paths.map((p) => {
            const b = fs.readFileSync(path.join(dir, p));
            return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
          }),
        );
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
  return handler;
}

/**
 * Loads a model folder written by `exportNetwork` (or any tfjs layers model saved as files) in
 * Node without tfjs-node. Needs an initialised backend (`initTensorBackend`).
 */
export function loadModelFolder(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(modelFolder(dir));
}
