import type { JsonObject } from '@nasx/contracts';
import { NB201_MACRO_DEFAULTS, NB201_SPACE } from '../nb201/nb201.network';
import type { Network } from '../network/network';
import { toLayersModel, type InputLayout, type LayersModelOptions } from './layers-model';
import { modelFolder, type SavedModelFiles } from './model-folder';

/** Version of the `nasx` block in an exported model's `userDefinedMetadata`. */
export const EXPORT_METADATA_VERSION = 1;

/** Options of {@link exportNetwork}. */
export interface ExportNetworkOptions extends LayersModelOptions {
  /**
   * More about the model for `userDefinedMetadata.nasx` (the architecture's text form, the task,
   * how it was trained, where it came from); JSON. Fields the exporter knows itself win.
   */
  readonly metadata?: JsonObject;
}

/** What {@link exportNetwork} wrote. */
export interface ExportedNetwork extends SavedModelFiles {
  /** Trainable parameters in the model (see `ExportedLayersModel.unusedParameters`). */
  readonly parameters: number;
  readonly unusedParameters: number;
  /** The `nasx` block written into `model.json`'s `userDefinedMetadata`. */
  readonly metadata: JsonObject;
}

/** Skeleton settings of a network, defaults filled in where nasx knows them (NB201). */
function macroOf(net: Network): JsonObject {
  const given = { ...net.options.macro };
  return net.arch.space === NB201_SPACE ? { ...NB201_MACRO_DEFAULTS, ...given } : given;
}

/**
 * Writes `net` (current weights: fresh from its seed, or trained) as a TensorFlow.js layers model
 * into `dir`: `model.json` + `group1-shard1of1.bin`, loadable with `tf.loadLayersModel` without
 * nasx. `model.json`'s `userDefinedMetadata.nasx` records the architecture, the builder options and
 * `options.metadata` (`model.getUserDefinedMetadata()` after loading).
 *
 * @example
 * const net = buildNetwork(arch, { numClasses: 10, inputShape: [3, 32, 32], seed: 0 });
 * await exportNetwork(net, 'out/best', { metadata: { arch: space.format(arch) } });
 * // elsewhere: const model = await tf.loadLayersModel('file://out/best/model.json');
 */
export async function exportNetwork(net: Network, dir: string, options: ExportNetworkOptions = {}): Promise<ExportedNetwork> {
  const inputLayout: InputLayout = options.inputLayout ?? 'nchw';
  const { model, parameters, unusedParameters } = toLayersModel(net, { ...options, inputLayout });
  try {
    const [c, h, w] = net.plan.inputShape;
    const metadata: JsonObject = {
      ...options.metadata,
      version: EXPORT_METADATA_VERSION,
      space: net.arch.space,
      key: net.arch.key,
      genotype: net.arch.genotype,
      network: {
        numClasses: net.plan.numClasses,
        inputShape: [...net.plan.inputShape],
        inputLayout,
        modelInput: inputLayout === 'nchw' ? ['batch', c!, h!, w!] : ['batch', h!, w!, c!],
        output: 'logits',
        seed: net.options.seed ?? 0,
        init: net.options.init ?? 'pytorch',
        macro: macroOf(net),
        paramCount: net.paramCount,
        exportedParams: parameters,
        flops: net.flops,
      },
    };
    model.setUserDefinedMetadata({ nasx: metadata });
    const folder = modelFolder(dir);
    await model.save(folder);
    return { ...folder.saved!, parameters, unusedParameters, metadata };
  } finally {
    model.dispose();
  }
}
