/**
 * Keras's own namespaces, as the safe table the Keras config check adds to the shared policy of
 * callables: Keras 3 names every object of a config by `module` and `class_name`, and the
 * objects of Keras itself (layers, initializers, losses, optimizers, dtype policies, the
 * `Functional` and `Sequential` models) live under these roots. The shared denylist still wins
 * over them (`keras.utils.get_file`, `keras.models.load_model`).
 *
 * @module
 */

import type { SafeTable } from "../../policy/callables.ts";

/**
 * The packages Keras resolves a config's `module` in (`keras`, and KerasHub/CV/NLP, which
 * `_retrieve_class_or_fn` imports too), the Keras 2 packages (`tf_keras`, `tensorflow.keras`),
 * and TensorFlow's classes (`TensorSpec` of a `__typespec__`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { SAFE_KERAS } from "./safe_keras.ts";
 * const policy = CallablePolicy.standard().extend({}, [SAFE_KERAS]);
 * assert.equal(policy.judge("keras.layers", "Dense").tier, "safe");
 * assert.equal(policy.judge("keras.utils", "get_file").tier, "denied");
 * ```
 */
export const SAFE_KERAS: SafeTable = {
  library: "keras",
  families: [
    ...["keras", "keras_hub", "keras_cv", "keras_nlp", "tf_keras", "tensorflow.keras"].map((root) => ({
      root,
      entry: `${root}.*`,
      names: "not-private" as const,
    })),
    { root: "tensorflow", entry: "tensorflow.*", names: "classes" },
  ],
};
