import protobuf from 'protobufjs';
import { FormatError } from '../../errors.js';

/**
 * The ONNX protobuf schema, loaded by protobufjs from the text below (parsed once, lazily; no file
 * or network access, so it works the same in Node and in bundled browser code; protobufjs is
 * CommonJS, so the main entry reaches this module only through a dynamic import).
 *
 * Provenance: a subset of the messages of `onnx/onnx.proto` from the ONNX project
 * (https://github.com/onnx/onnx, Copyright (c) ONNX Project Contributors; the file is published
 * under the Apache License 2.0, earlier releases under MIT). Message, field and enum names and
 * field numbers are those of the official definition (IR version 10); fields sepconv neither
 * reads nor writes (training info, functions, sparse tensors, quantization annotations, metadata
 * beyond producer / doc strings) are left out, and protobufjs skips them when decoding. The
 * definition was written out for sepconv from the official one, comments dropped. Why a string
 * and not an npm package: the packages that ship onnx.proto bring generated code pinned to older
 * protobufjs majors, and a string constant needs no file access at run time.
 */
export const ONNX_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11; TYPE_PROTO = 13;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; SPARSE_TENSORS = 12; TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7; STRING = 8; BOOL = 9;
    FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13; COMPLEX64 = 14; COMPLEX128 = 15; BFLOAT16 = 16;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  enum DataLocation { DEFAULT = 0; EXTERNAL = 1; }
  optional DataLocation data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    };
    optional string denotation = 3;
  };
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** int64 fields decode as numbers or as Long objects (protobufjs uses `long` when present). */
export type Int64 = number | { toNumber(): number; toString(): string };

export interface OnnxTensorProto {
  dims?: Int64[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  double_data?: number[];
  uint64_data?: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}

export interface OnnxAttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: OnnxTensorProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  g?: unknown;
  ref_attr_name?: string;
}

export interface OnnxNodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: OnnxAttributeProto[];
  doc_string?: string;
}

export interface OnnxDim {
  dim_value?: Int64;
  dim_param?: string;
}

export interface OnnxValueInfoProto {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraphProto {
  node?: OnnxNodeProto[];
  name?: string;
  initializer?: OnnxTensorProto[];
  doc_string?: string;
  input?: OnnxValueInfoProto[];
  output?: OnnxValueInfoProto[];
  value_info?: OnnxValueInfoProto[];
}

export interface OnnxModelProto {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: OnnxGraphProto;
}

/** TensorProto.DataType codes sepconv reads or writes. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType codes. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9 } as const;

let root: protobuf.Root | null = null;

/** The protobufjs type of an ONNX message (schema parsed on first use). */
export function onnxType(name: 'ModelProto' | 'GraphProto' | 'NodeProto' | 'TensorProto'): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType(`onnx.${name}`);
}

export const toNum = (v: Int64 | undefined | null): number => (v === undefined || v === null ? 0 : typeof v === 'number' ? v : Number(v.toString()));

/** Decodes an ONNX ModelProto; anything protobufjs cannot decode is a FormatError naming the source. */
export function decodeModel(bytes: Uint8Array, source: string): OnnxModelProto {
  let m: OnnxModelProto;
  try {
    m = onnxType('ModelProto').decode(bytes) as unknown as OnnxModelProto;
  } catch (e) {
    throw new FormatError(`${source}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  if (!m.graph) throw new FormatError(`${source}: not an ONNX model (the ModelProto has no graph)`);
  return m;
}

/** Encodes an ONNX ModelProto given as a plain object (snake_case field names as in onnx.proto). */
export function encodeModel(model: OnnxModelProto): Uint8Array {
  const t = onnxType('ModelProto');
  const err = t.verify(model);
  if (err) throw new FormatError(`encodeModel: invalid ONNX ModelProto: ${err}`);
  return t.encode(t.fromObject(model)).finish();
}
