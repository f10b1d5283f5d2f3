/**
 * The HDF5 scanner's limits: how much of a file's object headers, attributes,
 * heaps and groups is read. Set them per scan with `scannerOptions: { hdf5: { ... } }`
 * or `--limit hdf5.NAME=VALUE`. A limit reached is MA413, naming the option.
 *
 * @module
 */

/**
 * Limits of the HDF5 scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HDF5_OPTIONS, type Hdf5Options } from "./options.ts";
 * const strict: Hdf5Options = { ...DEFAULT_HDF5_OPTIONS, maxObjects: 10_000 };
 * assert.equal(strict.maxGroupNodes, 200_000);
 * ```
 */
export interface Hdf5Options {
  /**
   * Object headers visited per file (default 200,000); the rest are not inspected for external
   * references (MA413). A Keras model of 10,000 layers has some 30,000 objects.
   */
  maxObjects: number;
  /** B-tree and symbol table nodes of groups read per file (default 200,000); the rest: MA413. */
  maxGroupNodes: number;
  /**
   * Records read from one dense-storage B-tree (default 65,536); more: MA413. Far more attributes
   * or links than any object has.
   */
  maxDenseRecords: number;
  /** Bytes of one object header block read (default 4 MiB); a larger one is MA413. Real ones are a few KiB. */
  maxHeaderChunkBytes: number;
  /** Continuation blocks followed per object header (default 1,024); more: MA413. */
  maxHeaderChunks: number;
  /**
   * Messages read per object header (default 65,535, what a version 1 header can count); more: MA413.
   */
  maxHeaderMessages: number;
  /**
   * Bytes of one attribute value read (default 64 MiB); a larger one is MA413. A Keras model config
   * of a very large model is a few MiB.
   */
  maxAttributeBytes: number;
  /** Objects walked in a global heap collection to find one (default 1,000,000); past it: MA413. */
  maxHeapObjects: number;
}

/**
 * The HDF5 scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HDF5_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_HDF5_OPTIONS.maxAttributeBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_HDF5_OPTIONS: Readonly<Hdf5Options> = Object.freeze({
  maxObjects: 200_000,
  maxGroupNodes: 200_000,
  maxDenseRecords: 65_536,
  maxHeaderChunkBytes: 4 * 1024 * 1024,
  maxHeaderChunks: 1024,
  maxHeaderMessages: 65_535,
  maxAttributeBytes: 64 * 1024 * 1024,
  maxHeapObjects: 1_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HDF5_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(HDF5_OPTION_SUMMARIES.maxObjects, /^Object headers visited/);
 * ```
 */
export const HDF5_OPTION_SUMMARIES: Readonly<Record<keyof Hdf5Options, string>> = {
  maxObjects: "Object headers visited per file for external references; the rest: MA413",
  maxGroupNodes: "B-tree and symbol table nodes of groups read per file; the rest: MA413",
  maxDenseRecords: "Records read from one dense-storage B-tree (attributes, links); more: MA413",
  maxHeaderChunkBytes: "Bytes of one object header block read; a larger one is MA413",
  maxHeaderChunks: "Continuation blocks followed per object header; more: MA413",
  maxHeaderMessages: "Messages read per object header; more: MA413",
  maxAttributeBytes: "Bytes of one attribute value read (a Keras model_config); a larger one is MA413",
  maxHeapObjects: "Objects walked in a global heap collection to find one; past it: MA413",
};
