/**
 * A small writer of ONNX graphs (through onnx-proto's generated protobuf classes): the
 * networks Spinscope runs on ONNX Runtime are written out from their weights at load time,
 * never converted by a tool or committed.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT32 = onnx.TensorProto.DataType.INT32;
const INT64 = onnx.TensorProto.DataType.INT64;
const INT8 = onnx.TensorProto.DataType.INT8;
const UINT8 = onnx.TensorProto.DataType.UINT8;

/** Element types, for the `to` of a Cast node. */
export const ElementType = { FLOAT, UINT8 } as const;

type Attribute = number | number[] | string;
/** A graph input or output: its element type and its dimensions (a name: set at run time). */
export interface ValueSpec {
  type: 'float' | 'int32' | 'int64';
  dims: (number | string)[];
}

export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers = new Map<string, onnxProto.onnx.ITensorProto>();
  private counter = 0;

  /** A constant tensor, stored once under its name. */
  constant(
    name: string,
    data: Float32Array | BigInt64Array | Int8Array | Uint8Array,
    dims: number[],
  ): string {
    const dataType =
      data instanceof Float32Array
        ? FLOAT
        : data instanceof Int8Array
          ? INT8
          : data instanceof Uint8Array
            ? UINT8
            : INT64;
    if (!this.initializers.has(name))
      this.initializers.set(name, {
        name,
        dims,
        dataType,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      });
    return name;
  }

  scalar(value: number): string {
    return this.constant(`scalar:${value}`, new Float32Array([value]), []);
  }

  ints(values: number[]): string {
    return this.constant(`ints:${values.join(',')}`, BigInt64Array.from(values, BigInt), [
      values.length,
    ]);
  }

  /** A node with `outputs` outputs; their names. */
  nodeWith(
    outputs: number,
    opType: string,
    input: string[],
    attributes: Record<string, Attribute> = {},
  ): string[] {
    const output = Array.from({ length: outputs }, () => `t${this.counter++}`);
    const attribute = Object.entries(attributes).map(([name, value]) =>
      typeof value === 'string'
        ? {
            name,
            type: onnx.AttributeProto.AttributeType.STRING,
            s: new TextEncoder().encode(value),
          }
        : Array.isArray(value)
          ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
          : Number.isInteger(value)
            ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value }
            : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value },
    );
    this.nodes.push({ opType, input, output, attribute });
    return output;
  }

  /** A node with one output; its name. */
  node(opType: string, input: string[], attributes: Record<string, Attribute> = {}): string {
    return this.nodeWith(1, opType, input, attributes)[0]!;
  }

  /** Name a value as a graph output. */
  output(name: string, value: string): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name] });
  }

  /** The serialised model (opset 17). */
  encode(
    name: string,
    inputs: Record<string, ValueSpec>,
    outputs: Record<string, ValueSpec>,
  ): Uint8Array {
    const value = (valueName: string, { type, dims }: ValueSpec) => ({
      name: valueName,
      type: {
        tensorType: {
          elemType: type === 'float' ? FLOAT : type === 'int32' ? INT32 : INT64,
          shape: {
            dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
          },
        },
      },
    });
    const graph = {
      name,
      node: this.nodes,
      initializer: [...this.initializers.values()],
      input: Object.entries(inputs).map(([n, spec]) => value(n, spec)),
      output: Object.entries(outputs).map(([n, spec]) => value(n, spec)),
    };
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph,
    }).finish();
  }
}
