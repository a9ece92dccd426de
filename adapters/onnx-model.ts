/**
 * A minimal ONNX model writer: one `Conv` or `ConvTranspose` node with
 * float inputs of symbolic shape, as protobuf bytes (only the fields of
 * onnx.proto that such a model needs; wire types 0 = varint, 2 = bytes).
 */

type Field = Uint8Array;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const concat = (parts: readonly Field[]): Field => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const int = (field: number, n: number): Field => Uint8Array.from([...varint(field * 8), ...varint(n)]);
const bytes = (field: number, body: Field): Field =>
  concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(body.length)]), body]);
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: readonly Field[]): Field => bytes(field, concat(parts));

/** An attribute of a node: an integer, a list of integers or a string. */
export type Attribute = number | readonly number[] | string;

function attribute(name: string, v: Attribute): Field {
  // AttributeProto: name 1, i 3, s 4, ints 8, type 20 (INT 2, STRING 3, INTS 7)
  if (typeof v === 'number') return msg(5, [str(1, name), int(3, v), int(20, 2)]);
  if (typeof v === 'string') return msg(5, [str(1, name), str(4, v), int(20, 3)]);
  return msg(5, [str(1, name), ...v.map((i) => int(8, i)), int(20, 7)]);
}

/** ValueInfoProto of a float tensor of rank `rank` with symbolic dimensions. */
function floatInput(field: number, name: string, rank: number): Field {
  const dims = Array.from({ length: rank }, (_, i) => msg(1, [str(2, `${name}${i}`)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, 1), msg(2, dims)])])]);
}

/**
 * The bytes of a model computing `Y = op(X, W[, B])` (opset 17).
 * @example new Uint8Array(onnxConvModel('Conv', { strides: [2, 2], pads: [1, 1, 1, 1] }, true)) // for InferenceSession.create
 */
export function onnxConvModel(
  op: 'Conv' | 'ConvTranspose',
  attributes: Readonly<Record<string, Attribute>>,
  bias: boolean,
): Uint8Array {
  const inputs = bias ? ['X', 'W', 'B'] : ['X', 'W'];
  const node = msg(1, [
    ...inputs.map((n) => str(1, n)),
    str(2, 'Y'),
    str(4, op),
    ...Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  ]);
  const graph = msg(7, [
    node,
    str(2, op),
    ...inputs.map((n) => floatInput(11, n, n === 'B' ? 1 : 4)),
    floatInput(12, 'Y', 4),
  ]);
  return concat([int(1, 8), msg(8, [str(1, ''), int(2, 17)]), graph]);
}
