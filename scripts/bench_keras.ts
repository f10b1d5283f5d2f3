/**
 * The input of `deno task bench`'s `h5` case: a Keras 2 model in the legacy HDF5 layout
 * (`model_config`, `training_config`, `keras_version` and `backend` on the root group, a
 * `model_weights` group with one group per Dense layer), written by the real HDF5 library
 * (Debian's python3-h5py). Its datasets are allocated at creation and never written, so a
 * file of gigabytes costs neither disk space nor time; a scan must read its structures only.
 *
 * Only `scripts/bench.ts` uses this module; nothing here is loaded by the scanner.
 *
 * @module
 */

import { runDebianPython } from "./bench_containers.ts";

/** Dense layers of the model: each holds a kernel and a bias. */
export const KERAS_LAYERS = 200;

/**
 * Writes at `path` a Keras 2 `.h5` model of about `bytes` bytes; returns its exact size.
 *
 * @example
 * ```ts ignore
 * import { writeKerasH5 } from "./bench_keras.ts";
 * const path = await Deno.makeTempFile({ suffix: ".h5" });
 * console.log(await writeKerasH5(path, 10_000_000));
 * await Deno.remove(path);
 * ```
 */
export async function writeKerasH5(path: string, bytes: number): Promise<number> {
  const units = Math.max(1, Math.floor(Math.sqrt(bytes / 4 / KERAS_LAYERS)));
  const program = [
    "import json, sys, h5py, numpy as np",
    "path, layers, units = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])",
    "dense = lambda i: {'class_name': 'Dense', 'config': {'name': f'dense_{i}', 'trainable': True, 'dtype': 'float32',",
    "  'units': units, 'activation': 'relu', 'use_bias': True,",
    "  'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}},",
    "  'bias_initializer': {'class_name': 'Zeros', 'config': {}}}}",
    "config = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [dense(i) for i in range(layers)]}}",
    "with h5py.File(path, 'w') as f:",
    "  f.attrs['backend'] = 'tensorflow'",
    "  f.attrs['keras_version'] = '2.15.0'",
    "  f.attrs['model_config'] = json.dumps(config)",
    "  f.attrs['training_config'] = json.dumps({'loss': 'mse', 'metrics': ['mae']})",
    "  weights = f.create_group('model_weights')",
    "  weights.attrs['layer_names'] = np.array([f'dense_{i}'.encode() for i in range(layers)])",
    "  for i in range(layers):",
    "    group = weights.create_group(f'dense_{i}').create_group(f'dense_{i}')",
    "    for name, shape in (('kernel:0', (units, units)), ('bias:0', (units,))):",
    "      space = h5py.h5s.create_simple(shape)",
    "      dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)",
    // Allocated now, never filled: the file's size is real, its blocks are holes.
    "      dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)",
    "      dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)",
    "      h5py.h5d.create(group.id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)",
  ].join("\n");
  await runDebianPython(program, [path, String(KERAS_LAYERS), String(units)], "h5py");
  return (await Deno.stat(path)).size;
}
