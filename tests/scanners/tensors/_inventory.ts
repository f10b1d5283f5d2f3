/**
 * Scans a fixture with its inventory on, the way `inspect` and the weight analysis do, and reads
 * the first values of every readable tensor while its source is open.
 *
 * @module
 */

import { scanBytes, type SourceScanOutcome } from "../../../engine/dispatch.ts";
import type { ListedTensor, ModelFact } from "../../../core/tensor.ts";

/** What a fixture lists, and the first values of its readable tensors by `members:name`. */
export interface Listed {
  tensors: ListedTensor[];
  facts: ModelFact[];
  values: Map<string, number[]>;
  rules: string[];
  outcome: SourceScanOutcome;
}

/** Lists `path` (a fixture, or `bytes` named so), reading up to `first` values of each readable tensor. */
export async function listed(path: string, first = 8, bytes?: Uint8Array): Promise<Listed> {
  const values = new Map<string, number[]>();
  const outcome = await scanBytes(bytes ?? await Deno.readFile(path), path, {
    inventory: true,
    onTensor: async (tensor, place) => {
      const count = Math.min(first, tensor.shape.reduce((product, dim) => product * dim, 1));
      values.set([...place.members, tensor.name].join(":"), [...await tensor.read(0, count)]);
    },
  });
  if (outcome.error) throw new Error(outcome.error);
  return {
    tensors: outcome.tensors ?? [],
    facts: outcome.facts ?? [],
    values,
    rules: outcome.findings.map((finding) => finding.rule),
    outcome,
  };
}

/** `[name, dtype, shape, bytes, readable]` of each tensor, for exact comparisons. */
export function rows(
  tensors: readonly ListedTensor[],
): [string, string, number[], number | undefined, boolean][] {
  return tensors.map((t) => [t.name, t.dtype, [...t.shape], t.bytes, t.readable]);
}
