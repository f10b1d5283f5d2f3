/**
 * What an ONNX operator is, from its domain and type: a standard operator, an operator
 * that runs Python, a runtime contrib operator known to ship with its runtime, or an
 * operator some other library must provide.
 *
 * @module
 */

/**
 * Domains of the ONNX standard (`""` is `ai.onnx`), implemented by every runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STANDARD_DOMAINS } from "./operators.ts";
 * assert.equal(STANDARD_DOMAINS.has(""), true); // ai.onnx
 * assert.equal(STANDARD_DOMAINS.has("ai.onnx.ml"), true);
 * assert.equal(STANDARD_DOMAINS.has("com.microsoft"), false); // a runtime's contrib domain
 * ```
 */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set([
  "",
  "ai.onnx",
  "ai.onnx.ml",
  "ai.onnx.training",
  "ai.onnx.preview",
  "ai.onnx.preview.training",
]);

/**
 * Operator types that call back into Python in any domain: onnxruntime-extensions' and the
 * old onnxruntime language-interop `PyOp`, PyTorch's `PythonOp` (an autograd.Function exported
 * with ONNX_FALLTHROUGH, `prim::PythonOp`), onnxruntime training's `PythonOp`/`PythonOpGrad`.
 */
const PYTHON_OP_TYPES: ReadonlySet<string> = new Set(["PyOp", "PythonOp", "PythonOpGrad", "prim::PythonOp"]);

/** The domain PyTorch exports ATen fallbacks and its own operators under. */
const ATEN_DOMAIN = "org.pytorch.aten";

/**
 * Operators onnxruntime ships in its contrib domains: fused, quantized and generation
 * kernels its graph optimizers and converters write (onnxruntime's `contrib_defs`).
 */
const RUNTIME_CONTRIB_OPS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    "com.microsoft",
    new Set([
      "Affine",
      "Attention",
      "AttnLSTM",
      "BeamSearch",
      "BiasAdd",
      "BiasDropout",
      "BiasGelu",
      "BiasSoftmax",
      "BiasSplitGelu",
      "BitmaskBiasDropout",
      "BitmaskDropout",
      "CDist",
      "ComplexMul",
      "ComplexMulConj",
      "ConvTransposeWithDynamicPads",
      "Crop",
      "CropAndResize",
      "DecoderAttention",
      "DecoderMaskedMultiHeadAttention",
      "DecoderMaskedSelfAttention",
      "DequantizeBFP",
      "DequantizeLinear",
      "DequantizeWithOrder",
      "DynamicQuantizeLSTM",
      "DynamicQuantizeMatMul",
      "DynamicTimeWarping",
      "EmbedLayerNormalization",
      "ExpandDims",
      "FastGelu",
      "FusedConv",
      "FusedGemm",
      "FusedMatMul",
      "FusedMatMulActivation",
      "GatedRelativePositionBias",
      "GatherBlockQuantized",
      "GatherND",
      "Gelu",
      "GemmFastGelu",
      "GemmFloat8",
      "GreedySearch",
      "GridSample",
      "GroupNorm",
      "GroupQueryAttention",
      "ImageScaler",
      "Inverse",
      "Irfft",
      "LayerNormalization",
      "LongformerAttention",
      "MatMulBnb4",
      "MatMulFpQ4",
      "MatMulInteger16",
      "MatMulIntegerToFloat",
      "MatMulNBits",
      "MaxpoolWithMask",
      "MoE",
      "MulInteger",
      "MultiHeadAttention",
      "MurmurHash3",
      "NGramRepeatBlock",
      "NhwcConv",
      "NhwcFusedConv",
      "NhwcMaxPool",
      "PackedAttention",
      "PackedMultiHeadAttention",
      "Pad",
      "ParametricSoftplus",
      "QAttention",
      "QEmbedLayerNormalization",
      "QGemm",
      "QLinearAdd",
      "QLinearAveragePool",
      "QLinearConcat",
      "QLinearConv",
      "QLinearGlobalAveragePool",
      "QLinearLeakyRelu",
      "QLinearMul",
      "QLinearReduceMean",
      "QLinearSigmoid",
      "QLinearSoftmax",
      "QLinearWhere",
      "QMoE",
      "QOrderedAttention",
      "QOrderedGelu",
      "QOrderedLayerNormalization",
      "QOrderedLongformerAttention",
      "QOrderedMatMul",
      "QuantizeBFP",
      "QuantizeLinear",
      "QuantizeWithOrder",
      "QuickGelu",
      "Range",
      "ReduceSumInteger",
      "RelativePositionBias",
      "RemovePadding",
      "RestorePadding",
      "Rfft",
      "RotaryEmbedding",
      "SampleOp",
      "Sampling",
      "ScaledTanh",
      "SimplifiedLayerNormalization",
      "SkipGroupNorm",
      "SkipLayerNormalization",
      "SkipSimplifiedLayerNormalization",
      "SparseAttention",
      "SparseToDenseMatMul",
      "Tokenizer",
      "TorchEmbedding",
      "TransposeMatMul",
      "Trilu",
      "Unique",
      "WhisperBeamSearch",
      "WordConvEmbedding",
    ]),
  ],
  [
    "com.microsoft.nchwc",
    new Set([
      "AveragePool",
      "Conv",
      "GlobalAveragePool",
      "GlobalMaxPool",
      "MaxPool",
      "ReorderInput",
      "ReorderOutput",
      "Upsample",
    ]),
  ],
  [
    // onnxruntime-extensions' built-in kernels; its Azure and OpenAI operators call remote
    // services and are left out on purpose, as is anything registered from Python at run time.
    "ai.onnx.contrib",
    new Set([
      "AudioDecoder",
      "BasicTokenizer",
      "BertTokenizer",
      "BertTokenizerDecoder",
      "BlingFireSentenceBreaker",
      "BpeDecoder",
      "CLIPTokenizer",
      "DecodeImage",
      "DrawBoundingBoxes",
      "EncodeImage",
      "GPT2Tokenizer",
      "GaussianBlur",
      "HfBertTokenizer",
      "HfJsonTokenizer",
      "ImageDecoder",
      "MaskedFill",
      "RaggedTensorToDense",
      "RaggedTensorToSparse",
      "RobertaTokenizer",
      "SegmentExtraction",
      "SegmentSum",
      "SentencepieceDecoder",
      "SentencepieceTokenizer",
      "SpmTokenizer",
      "StftNorm",
      "StringConcat",
      "StringECMARegexReplace",
      "StringECMARegexSplitWithOffsets",
      "StringEqual",
      "StringJoin",
      "StringLength",
      "StringLower",
      "StringMapping",
      "StringRaggedTensorToDense",
      "StringRegexReplace",
      "StringRegexSplitWithOffsets",
      "StringSplit",
      "StringStrip",
      "StringToHashBucket",
      "StringToHashBucketFast",
      "StringToVector",
      "StringUpper",
      "TrieDetokenizer",
      "TrieTokenizer",
      "VectorToString",
      "WordpieceTokenizer",
    ]),
  ],
]);

/**
 * What an operator is:
 * - `standard`: an ONNX standard operator, or a model-local function (its body is walked);
 * - `python`: it runs Python (MA460);
 * - `known-contrib`: a contrib operator its runtime ships;
 * - `unlisted-contrib`: a contrib domain's operator not on that list, or an ATen fallback (MA462);
 * - `custom`: a domain outside the standard and the known runtimes (MA461).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyOperator, type OperatorClass } from "./operators.ts";
 * const kind: OperatorClass = classifyOperator("com.microsoft", "FusedConv", false);
 * assert.equal(kind, "known-contrib"); // onnxruntime ships it
 * ```
 */
export type OperatorClass = "standard" | "python" | "known-contrib" | "unlisted-contrib" | "custom";

/**
 * Classifies the operator `opType` of `domain`; `localFunction` says whether the model defines
 * a function by that domain and name. `atenOperator` is the `operator` attribute of an `ATen`
 * node, which names the PyTorch operator it falls back to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyOperator } from "./operators.ts";
 * assert.equal(classifyOperator("", "Conv", false), "standard");
 * assert.equal(classifyOperator("ai.onnx.contrib", "PyOp", false), "python");
 * assert.equal(classifyOperator("com.microsoft", "FusedConv", false), "known-contrib");
 * assert.equal(classifyOperator("com.evil", "Exec", false), "custom");
 * assert.equal(classifyOperator("com.evil", "Exec", true), "standard"); // a function the model defines
 * ```
 */
export function classifyOperator(
  domain: string,
  opType: string,
  localFunction: boolean,
  atenOperator?: string,
): OperatorClass {
  if (PYTHON_OP_TYPES.has(opType) || /python/i.test(atenOperator ?? "")) return "python";
  if (localFunction || STANDARD_DOMAINS.has(domain)) {
    // An ATen fallback in the default domain (older PyTorch exports) is still a fallback into PyTorch.
    return opType === "ATen" && !localFunction ? "unlisted-contrib" : "standard";
  }
  if (domain === ATEN_DOMAIN) return "unlisted-contrib";
  const known = RUNTIME_CONTRIB_OPS.get(domain);
  if (known) return known.has(opType) ? "known-contrib" : "unlisted-contrib";
  return "custom";
}
