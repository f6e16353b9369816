/**
 * The small subset of onnx.proto (proto2, IR version 8) that a tree-ensemble model needs, written
 * with @bufbuild/protobuf's wire-level BinaryWriter. Field numbers follow onnx/onnx.proto; repeated
 * numeric attribute fields are written packed, which every protobuf parser accepts for proto2
 * repeated scalars.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** TensorProto.DataType values used here. */
export const TensorElemType = { FLOAT: 1, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
export type TensorElemType = (typeof TensorElemType)[keyof typeof TensorElemType];

export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: 'floats'; readonly value: ArrayLike<number> }
  | { readonly name: string; readonly type: 'strings'; readonly value: readonly string[] };

export interface OnnxNode {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
}

/** A tensor value: element type and dims (a number is a fixed size, a string a symbolic one). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: TensorElemType;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetImports: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  readonly graph: OnnxGraph;
  /** Written as metadata_props, in key order as given. */
  readonly metadata: Readonly<Record<string, string>>;
}

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

const LEN = WireType.LengthDelimited;
const VARINT = WireType.Varint;

function writeAttribute(w: BinaryWriter, a: OnnxAttribute): void {
  w.tag(1, LEN).string(a.name);
  switch (a.type) {
    case 'float':
      w.tag(2, WireType.Bit32).float(a.value);
      break;
    case 'int':
      w.tag(3, VARINT).int64(a.value);
      break;
    case 'string':
      w.tag(4, LEN).string(a.value);
      break;
    case 'floats':
      if (a.value.length > 0) {
        w.tag(7, LEN).fork();
        for (let i = 0; i < a.value.length; i++) w.float(a.value[i]);
        w.join();
      }
      break;
    case 'ints':
      if (a.value.length > 0) {
        w.tag(8, LEN).fork();
        for (let i = 0; i < a.value.length; i++) w.int64(a.value[i]);
        w.join();
      }
      break;
    case 'strings':
      for (const s of a.value) w.tag(9, LEN).string(s);
      break;
  }
  w.tag(20, VARINT).int32(ATTR_TYPE[a.type]);
}

function writeNode(w: BinaryWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.tag(1, LEN).string(i);
  for (const o of n.outputs) w.tag(2, LEN).string(o);
  w.tag(3, LEN).string(n.name);
  w.tag(4, LEN).string(n.opType);
  for (const a of n.attributes) {
    w.tag(5, LEN).fork();
    writeAttribute(w, a);
    w.join();
  }
  if (n.domain !== '') w.tag(7, LEN).string(n.domain);
}

function writeValueInfo(w: BinaryWriter, v: OnnxValueInfo): void {
  w.tag(1, LEN).string(v.name);
  w.tag(2, LEN).fork(); // TypeProto
  w.tag(1, LEN).fork(); // TypeProto.Tensor
  w.tag(1, VARINT).int32(v.elemType);
  w.tag(2, LEN).fork(); // TensorShapeProto
  for (const d of v.dims) {
    w.tag(1, LEN).fork(); // Dimension
    if (typeof d === 'number') w.tag(1, VARINT).int64(d);
    else w.tag(2, LEN).string(d);
    w.join();
  }
  w.join().join().join();
}

function writeGraph(w: BinaryWriter, g: OnnxGraph): void {
  for (const n of g.nodes) {
    w.tag(1, LEN).fork();
    writeNode(w, n);
    w.join();
  }
  w.tag(2, LEN).string(g.name);
  for (const v of g.inputs) {
    w.tag(11, LEN).fork();
    writeValueInfo(w, v);
    w.join();
  }
  for (const v of g.outputs) {
    w.tag(12, LEN).fork();
    writeValueInfo(w, v);
    w.join();
  }
}

/** Serialises a ModelProto. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, VARINT).int64(m.irVersion);
  w.tag(2, LEN).string(m.producerName);
  w.tag(3, LEN).string(m.producerVersion);
  if (m.modelVersion !== undefined) w.tag(5, VARINT).int64(m.modelVersion);
  if (m.docString !== undefined) w.tag(6, LEN).string(m.docString);
  w.tag(7, LEN).fork();
  writeGraph(w, m.graph);
  w.join();
  for (const o of m.opsetImports) {
    w.tag(8, LEN).fork();
    w.tag(1, LEN).string(o.domain);
    w.tag(2, VARINT).int64(o.version);
    w.join();
  }
  for (const [key, value] of Object.entries(m.metadata)) {
    w.tag(14, LEN).fork();
    w.tag(1, LEN).string(key).tag(2, LEN).string(value);
    w.join();
  }
  return w.finish();
}

/**
 * metadata_props of a serialised ModelProto (any producer), read without decoding the rest, so a
 * consumer can learn the objective, feature list and output names of an exported model.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  const out: Record<string, string> = {};
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 14 && type === LEN) {
      const entry = new BinaryReader(r.bytes());
      let key = '';
      let value = '';
      while (entry.pos < entry.len) {
        const [f, t] = entry.tag();
        if (f === 1 && t === LEN) key = entry.string();
        else if (f === 2 && t === LEN) value = entry.string();
        else entry.skip(t, f);
      }
      out[key] = value;
    } else {
      r.skip(type, field);
    }
  }
  return out;
}
