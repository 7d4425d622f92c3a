import protobuf from 'protobufjs';
import { ConfigError } from '../errors.js';
import type { Parameters } from '../nn/parameters.js';
import { DEEPNET_VERSION } from './version.js';

// ONNX export of a deep L-layer network. ONNX puts samples in rows: the graph takes X of shape
// (batch, n_x) and returns `probabilities` (batch, n_L): per layer Z = Gemm(A, W, b, transB = 1),
// i.e. A·Wᵀ + bᵀ, the transpose of the course's W·A + b, with W kept in the course's (n[l], n[l-1]).
// Weights are written as float32, the type ONNX runtimes implement everywhere.

// The part of onnx.proto (field numbers as in the ONNX repository) that this export needs.
const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  string name = 1; float f = 2; int64 i = 3; bytes s = 4; int32 type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string doc_string = 6; string domain = 7;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4 [packed = true];
  string name = 8; bytes raw_data = 9; string doc_string = 12;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; string doc_string = 10;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message ModelProto {
  int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; string producer_name = 2;
  string producer_version = 3; string domain = 4; int64 model_version = 5; string doc_string = 6;
  GraphProto graph = 7; repeated StringStringEntryProto metadata_props = 14;
}
`;

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
/** IR version 8 with opset 13: read by every current runtime. */
const IR_VERSION = 8;
const OPSET = 13;

let modelType: protobuf.Type | undefined;
function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

export interface OnnxExportOptions {
  layerDims: readonly number[];
  /** One activation per layer 1..L. */
  activations: readonly string[];
  leakySlope: number;
  /** Written as the model's metadata_props. */
  classes?: readonly (number | string)[] | null;
}

function tensorInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/** The ONNX model (protobuf bytes) computing the network's output AL for samples in rows. */
export function exportOnnx(parameters: Parameters, options: OnnxExportOptions): Uint8Array {
  const { layerDims, activations, leakySlope } = options;
  const L = layerDims.length - 1;
  if (activations.length !== L) throw new ConfigError(`exportOnnx: ${activations.length} activations for L = ${L} layers`);
  const nodes: object[] = [];
  const initializer: object[] = [];
  let A = 'X';
  for (let l = 1; l <= L; l++) {
    const W = parameters[`W${l}`];
    const b = parameters[`b${l}`];
    if (!W || !b || W.rows !== layerDims[l] || W.cols !== layerDims[l - 1] || b.rows !== layerDims[l] || b.cols !== 1) {
      throw new ConfigError(`exportOnnx: W${l}/b${l} missing or not of the shapes layerDims imply`);
    }
    initializer.push({ name: `W${l}`, dims: [W.rows, W.cols], data_type: FLOAT, float_data: Array.from(W.data) });
    initializer.push({ name: `b${l}`, dims: [b.rows], data_type: FLOAT, float_data: Array.from(b.data) });
    const Z = `Z${l}`;
    nodes.push({ name: `gemm${l}`, op_type: 'Gemm', input: [A, `W${l}`, `b${l}`], output: [Z], attribute: [{ name: 'transB', type: ATTR_INT, i: 1 }] });
    const out = l === L ? 'probabilities' : `A${l}`;
    const g = activations[l - 1]!;
    const op: Record<string, [string, object[]]> = {
      sigmoid: ['Sigmoid', []],
      tanh: ['Tanh', []],
      relu: ['Relu', []],
      leakyRelu: ['LeakyRelu', [{ name: 'alpha', type: ATTR_FLOAT, f: leakySlope }]],
      linear: ['Identity', []],
      softmax: ['Softmax', [{ name: 'axis', type: ATTR_INT, i: 1 }]],
    };
    const [opType, attribute] = op[g] ?? [];
    if (!opType) throw new ConfigError(`exportOnnx: layer ${l}'s activation ${g} has no ONNX operator here`);
    nodes.push({ name: `${g}${l}`, op_type: opType, input: [Z], output: [out], attribute });
    A = out;
  }
  const Model = onnxModelType();
  const message = Model.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'deepnet',
    producer_version: DEEPNET_VERSION,
    doc_string: `deepnet network, layerDims [${layerDims.join(', ')}]; input X is (batch, n_x), samples as rows`,
    graph: {
      name: 'deepnet',
      node: nodes,
      initializer,
      input: [tensorInfo('X', ['batch', layerDims[0]!])],
      output: [tensorInfo('probabilities', ['batch', layerDims[L]!])],
    },
    metadata_props: [
      { key: 'layerDims', value: JSON.stringify(layerDims) },
      { key: 'activations', value: JSON.stringify(activations) },
      ...(options.classes ? [{ key: 'classes', value: JSON.stringify(options.classes) }] : []),
    ],
  });
  return Model.encode(message).finish();
}

/** Decodes an ONNX file written by exportOnnx back into a plain object (for tests and inspection). */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  const Model = onnxModelType();
  return Model.toObject(Model.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
}
