/**
 * Corrupt and malformed files: each case asserts the exact error class and message fragments
 * (what is wrong, where, what to do).
 */
import { describe, expect, it } from 'vitest';
import { FormatError, SepconvError, UnsupportedOpError } from '../../src/errors.js';
import { readSepconv } from '../../src/format/index.js';
import { baseBlobs, baseFile, OFFSETS, type Json } from './fixture.js';

type ErrorClass = typeof FormatError | typeof UnsupportedOpError;

function errorOf(bytes: unknown): Error {
  try {
    readSepconv(bytes as Uint8Array);
  } catch (e) {
    return e as Error;
  }
  throw new Error('readSepconv accepted the file');
}

function expectFail(bytes: unknown, cls: ErrorClass, ...fragments: (string | RegExp)[]) {
  const e = errorOf(bytes);
  expect(e.constructor, e.message).toBe(cls);
  for (const f of fragments) {
    if (typeof f === 'string') expect(e.message).toContain(f);
    else expect(e.message).toMatch(f);
  }
}

const withHeader = (mutate: (h: Json) => void) => baseFile(mutate);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
const REEXPORT = 're-export the model with `sepconv export`';

describe('truncated files', () => {
  const file = baseFile();
  const headerEnd = 16 + new DataView(file.buffer).getUint32(12, true);

  it.each([
    ['empty file', 0, 'the file is empty (0 bytes)'],
    ['inside the magic', 5, 'the file is 5 bytes, shorter than the 16-byte fixed header'],
    ['after the magic', 8, 'the file is 8 bytes, shorter than the 16-byte fixed header'],
    ['inside the version', 9, 'the file is 9 bytes'],
    ['inside the header length', 14, 'the file is 14 bytes'],
    ['right after the fixed header', 16, 'runs past the end of the file: the header would end at byte'],
    ['inside the JSON', 100, `header length ${headerEnd - 16} (byte 12) runs past the end of the file`],
    ['right after the JSON', headerEnd, "tensors[0] ('w'): blob at bytes 1024..1071 runs past the end of the file"],
    ['inside the first blob', OFFSETS.w + 10, "tensors[0] ('w'): blob at bytes 1024..1071 runs past the end of the file (1034 bytes)"],
    ['at the start of the second blob', OFFSETS.b, "tensors[1] ('b'): blob at bytes 1088..1099 runs past the end"],
    ['inside the second blob', OFFSETS.b + 11, "tensors[1] ('b')"],
    ['at the start of the third blob', OFFSETS.dw, "tensors[2] ('dw'): blob at bytes 1152..1205 runs past the end"],
    ['one byte short', file.length - 1, "tensors[2] ('dw'): blob at bytes 1152..1205 runs past the end of the file (1205 bytes)"],
  ])('%s (%d bytes)', (_, cut, fragment) => {
    expectFail(file.slice(0, cut), FormatError, fragment, 'truncated');
  });

  it('every proper prefix of a valid file is rejected with a FormatError', () => {
    expect(file.length).toBe(1206);
    const accepted: number[] = [];
    for (let cut = 0; cut < file.length; cut++) {
      try {
        readSepconv(file.subarray(0, cut));
        accepted.push(cut);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
      }
    }
    expect(accepted).toEqual([]);
    expect(() => readSepconv(file)).not.toThrow();
  });

  it('a short file that is not a sepconv file says so', () => {
    expectFail(new TextEncoder().encode('hello'), FormatError, 'does not start with the sepconv magic');
  });
});

describe('fixed header', () => {
  it('wrong magic', () => {
    const f = baseFile(undefined, { magic: [0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0] });
    expectFail(f, FormatError, 'bytes 0..7 are 47 47 55 46 03 00 00 00', 'not the sepconv magic', 'not a .sepconv file', '`sepconv export`');
  });

  it('ONNX protobuf bytes', () => {
    expectFail(new Uint8Array([0x08, 0x07, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6f, 0x72, 0x63, 0x68, 0x1a, 0x03, 0x32, 0x2e, 0x30]), FormatError, 'not the sepconv magic');
  });

  it('version from the future (major 2)', () => {
    expectFail(baseFile(undefined, { major: 2, minor: 1 }), FormatError, 'format version 2.1 (byte 8) is newer than this reader (1.x)', 'needs a newer sepconv');
  });

  it('version 0.x', () => {
    expectFail(baseFile(undefined, { major: 0, minor: 9 }), FormatError, 'format version 0.9', 'not a released version');
  });

  it('header length past the end of the file', () => {
    const f = baseFile();
    setU32(f, 12, 1_000_000);
    expectFail(f, FormatError, 'header length 1000000 (byte 12) runs past the end of the file', `the file is ${f.length} bytes`);
  });

  it('header length 0xffffffff', () => {
    const f = baseFile();
    setU32(f, 12, 0xffffffff);
    expectFail(f, FormatError, 'header length 4294967295 (byte 12) runs past the end');
  });

  it('header length 0', () => {
    expectFail(baseFile(undefined, { headerLength: 0 }), FormatError, 'header length (byte 12) is 0');
  });

  it('not a Uint8Array', () => {
    expectFail(baseFile().buffer, FormatError, 'expects the file\'s bytes as a Uint8Array, got [object ArrayBuffer]');
  });
});

describe('JSON header', () => {
  const raw = (text: string | Uint8Array) =>
    baseFile(undefined, { rawHeader: typeof text === 'string' ? new TextEncoder().encode(text) : text });

  it('invalid JSON', () => {
    expectFail(raw('{"name": "x", nodes: [}'), FormatError, 'the header (bytes 16..38) is not valid JSON', 'corrupt');
  });

  it('header length cutting the JSON short', () => {
    const f = baseFile();
    setU32(f, 12, 200);
    expectFail(f, FormatError, 'the header (bytes 16..215) is not valid JSON');
  });

  it('invalid UTF-8', () => {
    expectFail(raw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), FormatError, 'the header (bytes 16..19) is not valid UTF-8');
  });

  it('JSON that is not an object', () => {
    expectFail(raw('[1, 2, 3]'), FormatError, 'header, top level: expected an object, got [1,2,3]', REEXPORT);
  });

  it('missing nodes', () => {
    expectFail(withHeader((h) => delete h.nodes), FormatError, 'header, nodes: expected a list, got nothing');
  });

  it('missing tensors', () => {
    expectFail(withHeader((h) => delete h.tensors), FormatError, 'header, tensors: expected a list, got nothing');
  });

  it('name of the wrong type', () => {
    expectFail(withHeader((h) => (h.name = 42)), FormatError, 'header, name: expected a string, got 42');
  });

  it('outputs of the wrong type', () => {
    expectFail(withHeader((h) => (h.outputs = 'y')), FormatError, 'header, outputs: expected a list, got "y"');
  });

  it('no graph outputs', () => {
    expectFail(withHeader((h) => (h.outputs = [])), FormatError, 'header, outputs: the graph has no outputs');
  });

  it('input shape of the wrong type', () => {
    expectFail(withHeader((h) => (h.inputs[0].shape = '1x4x4x2')), FormatError, "inputs[0] ('x').shape: expected a list, got \"1x4x4x2\"");
  });

  it('node that is not an object', () => {
    expectFail(withHeader((h) => (h.nodes[1] = 'dw')), FormatError, 'header, nodes[1]: expected an object, got "dw"');
  });

  it('node inputs of the wrong type', () => {
    expectFail(withHeader((h) => (h.nodes[0].inputs = 'x')), FormatError, "nodes[0]: node 'conv' (Conv2D): inputs must be a list of non-empty tensor names");
  });

  it('tensor offset of the wrong type', () => {
    expectFail(withHeader((h) => (h.tensors[0].offset = '1024')), FormatError, "tensors[0] ('w').offset: expected an integer in 0..", '"1024"');
  });

  it('tensor crc32 out of range', () => {
    expectFail(withHeader((h) => (h.tensors[1].crc32 = 2 ** 32)), FormatError, "tensors[1] ('b').crc32: expected an integer in 0..4294967295, got 4294967296");
  });
});

describe('tensor table', () => {
  it('offset past the end of the file', () => {
    expectFail(withHeader((h) => (h.tensors[2].offset = 4096)), FormatError, "tensors[2] ('dw'): blob at bytes 4096..4149 runs past the end of the file (1206 bytes)");
  });

  it('offset not 64-byte aligned', () => {
    expectFail(withHeader((h) => (h.tensors[0].offset = 1025)), FormatError, "tensors[0] ('w').offset: byte offset 1025 is not a multiple of 64");
  });

  it('offset inside the header', () => {
    expectFail(withHeader((h) => (h.tensors[0].offset = 0)), FormatError, "tensors[0] ('w').offset: byte offset 0 lies inside the fixed header and JSON header");
  });

  it('length does not match shape * dtype size', () => {
    expectFail(withHeader((h) => (h.tensors[0].length = 24)), FormatError, "tensors[0] ('w').length: 24 bytes, but shape [6,1,1,2] of float32 needs 12 * 4 = 48 bytes");
  });

  it('length mismatch for float16', () => {
    expectFail(withHeader((h) => (h.tensors[1].length = 6)), FormatError, "tensors[1] ('b').length: 6 bytes, but shape [6] of float16 needs 6 * 2 = 12 bytes");
  });

  it('negative dim', () => {
    expectFail(withHeader((h) => (h.tensors[0].shape = [6, -1, 1, 2])), FormatError, "tensors[0] ('w').shape[1]: dimension -1 is not a positive integer");
  });

  it('zero and fractional dims', () => {
    expectFail(withHeader((h) => (h.tensors[0].shape = [0, 1, 1, 2])), FormatError, 'dimension 0 is not a positive integer');
    expectFail(withHeader((h) => (h.tensors[0].shape = [6, 1.5, 1, 2])), FormatError, 'dimension 1.5 is not a positive integer');
  });

  it('huge dims are rejected before anything is allocated', () => {
    expectFail(withHeader((h) => (h.tensors[0].shape = [1e9, 1e9])), FormatError, "tensors[0] ('w').shape: shape [1000000000,1000000000] has more than 268435456 elements");
    expectFail(withHeader((h) => (h.inputs[0].shape = [1, 65536, 65536, 3])), FormatError, "inputs[0] ('x').shape", 'more than 268435456 elements');
  });

  it('rank above the maximum', () => {
    expectFail(withHeader((h) => (h.tensors[1].shape = [1, 1, 1, 1, 1, 1, 1, 1, 6])), FormatError, "tensors[1] ('b').shape: rank 9 exceeds the maximum rank 8");
  });

  it('overlapping blobs', () => {
    expectFail(withHeader((h) => (h.tensors[1].offset = OFFSETS.w)), FormatError, "blobs overlap: 'w' is bytes 1024..1071, 'b' starts at 1024");
  });

  it('unknown dtype', () => {
    expectFail(withHeader((h) => (h.tensors[1].dtype = 'bfloat16')), FormatError, "tensors[1] ('b').dtype: unknown dtype \"bfloat16\"; this reader knows float32, float16, int8, uint8", 'needs a newer sepconv');
  });

  it('duplicate tensor name', () => {
    expectFail(withHeader((h) => (h.tensors[1].name = 'w')), FormatError, "tensors[1] ('w').name: duplicate tensor name, already used by tensors[0]");
  });

  it('int8 tensor missing its scales', () => {
    expectFail(withHeader((h) => delete h.tensors[2].quant), FormatError, "tensors[2] ('dw').quant: int8 tensor without quantization parameters");
  });

  it('int8 scales of the wrong count', () => {
    expectFail(withHeader((h) => h.tensors[2].quant.scales.pop()), FormatError, "tensors[2] ('dw').quant.scales: 5 scales for 6 channels along axis 2");
  });

  it('int8 scale that is zero', () => {
    expectFail(withHeader((h) => (h.tensors[2].quant.scales[3] = 0)), FormatError, "tensors[2] ('dw').quant.scales[3]: scale 0 is not a finite positive number");
  });

  it('int8 zero point out of range', () => {
    expectFail(withHeader((h) => (h.tensors[2].quant.zeroPoints[0] = 200)), FormatError, "quant.zeroPoints[0]: zero point 200 is not an integer in -128..127");
  });

  it('int8 axis out of range', () => {
    expectFail(withHeader((h) => (h.tensors[2].quant.axis = 3)), FormatError, "tensors[2] ('dw').quant.axis: axis 3 is out of range for shape [3,3,6]");
  });

  it('an unknown I/O layout', () => {
    expectFail(withHeader((h) => (h.layout = 'NHWC')), FormatError, 'layout: "NHWC" is not a known I/O layout (only "NCHW"; absent means NHWC)');
  });

  it('uint8 tensors need {scale, min} (finite, scale > 0); floats must not carry them', () => {
    const asUint8 = (affine?: unknown) => withHeader((h) => {
      h.tensors[2].dtype = 'uint8';
      delete h.tensors[2].quant;
      if (affine !== undefined) h.tensors[2].affine = affine;
    });
    expectFail(asUint8(), FormatError, "tensors[2] ('dw').affine: uint8 tensor without its parameters {scale, min}");
    expectFail(asUint8({ scale: 0, min: 0 }), FormatError, "tensors[2] ('dw').affine.scale: scale 0 is not a finite positive number");
    expectFail(asUint8({ scale: 0.5, min: 'x' }), FormatError, "tensors[2] ('dw').affine.min: min \"x\" is not a finite number");
    expectFail(withHeader((h) => (h.tensors[0].affine = { scale: 1, min: 0 })), FormatError, "tensors[0] ('w').affine: uint8 parameters on a float32 tensor");
    // the same bytes read as uint8 with valid parameters: q * scale + min
    const g = readSepconv(asUint8({ scale: 0.5, min: -1 }));
    const q = g.constants.get('dw')!.data.map((v) => (v + 1) / 0.5);
    expect(q.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
  });

  it('quantization parameters on a float tensor', () => {
    expectFail(withHeader((h) => (h.tensors[0].quant = { axis: 0, scales: [1], zeroPoints: [0] })), FormatError, "tensors[0] ('w').quant: quantization parameters on a float32 tensor");
  });
});

describe('nodes and graph', () => {
  it('unknown op (UnsupportedOpError listing the supported ops)', () => {
    expectFail(
      withHeader((h) => (h.nodes[1].op = 'HardSwishV2')),
      UnsupportedOpError,
      `nodes[1]: node 'dw' uses op "HardSwishV2", which this sepconv does not support`,
      'Supported ops: Conv2D, DepthwiseConv2D, ConvTranspose2D, BatchNorm',
      'Pad',
      'newer sepconv',
    );
  });

  it('unknown attribute (UnsupportedOpError)', () => {
    expectFail(withHeader((h) => (h.nodes[0].attrs.padMode = 'reflect')), UnsupportedOpError, "node 'conv' (Conv2D): unknown attribute 'padMode' = \"reflect\"", 'newer sepconv');
  });

  it('stride 0', () => {
    expectFail(withHeader((h) => (h.nodes[0].attrs.strides = [0, 1])), FormatError, "nodes[0]: node 'conv' (Conv2D): attribute 'strides' = [0,1], must be a pair [h, w] of integers in 1..255", REEXPORT);
  });

  it('unknown activation', () => {
    expectFail(withHeader((h) => (h.nodes[1].attrs.act = 'gelu')), FormatError, "node 'dw' (DepthwiseConv2D): attribute 'act' = \"gelu\", must be one of linear, relu, relu6, hswish, hsigmoid, sigmoid", 'may need a newer sepconv');
  });

  it('kernel too large, negative pad, zero groups, dilation 0', () => {
    expectFail(withHeader((h) => (h.nodes[0].attrs.kernel = [16, 1])), FormatError, "attribute 'kernel' = [16,1], must be a pair [h, w] of integers in 1..15");
    expectFail(withHeader((h) => (h.nodes[0].attrs.pads = [0, -1, 0, 0])), FormatError, "attribute 'pads' = [0,-1,0,0], must be [top, left, bottom, right], integers in 0..255");
    expectFail(withHeader((h) => (h.nodes[0].attrs.groups = 0)), FormatError, "attribute 'groups' = 0, must be an integer in 1..65535");
    expectFail(withHeader((h) => (h.nodes[1].attrs.dilations = [1, 0])), FormatError, "attribute 'dilations' = [1,0]");
  });

  it('missing attribute', () => {
    expectFail(withHeader((h) => delete h.nodes[0].attrs.groups), FormatError, "node 'conv' (Conv2D): missing attribute 'groups' (an integer in 1..65535)");
  });

  it('wrong input count', () => {
    expectFail(withHeader((h) => (h.nodes[0].inputs = ['x'])), FormatError, "node 'conv' (Conv2D): has 1 inputs, Conv2D takes 2..4");
  });

  it('node input that does not exist', () => {
    expectFail(withHeader((h) => (h.nodes[1].inputs[1] = 'dw_weights')), FormatError, "nodes[1] ('dw').inputs[1]: 'dw_weights' is not a graph input, a tensor of the file or an output of an earlier node");
  });

  it('node input produced by a later node', () => {
    expectFail(withHeader((h) => (h.nodes[0].inputs[0] = 'y')), FormatError, "nodes[0] ('conv').inputs[0]: 'y' is not a graph input");
  });

  it('node output that redefines a tensor', () => {
    expectFail(withHeader((h) => (h.nodes[1].outputs = ['c'])), FormatError, "nodes[1] ('dw').outputs[0]: 'c' is already defined by nodes[0] ('conv')");
  });

  it('duplicate node name', () => {
    expectFail(withHeader((h) => (h.nodes[1].name = 'conv')), FormatError, "nodes[1] ('conv').name: duplicate node name");
  });

  it('graph output that does not exist', () => {
    expectFail(withHeader((h) => (h.outputs = ['y', 'logits'])), FormatError, "outputs[1]: graph output 'logits' is not produced by any node");
  });

  it('graph input that shadows a tensor', () => {
    expectFail(withHeader((h) => (h.inputs[0].name = 'w')), FormatError, "inputs[0] ('w').name: name already used by tensors[0]");
  });

  it('attribute checks for the other ops', () => {
    const add = (node: Json) => withHeader((h) => h.nodes.push(node));
    const one = (op: string, attrs: Json, inputs = ['y'], outputs = ['z']) => add({ name: 'n', op, inputs, outputs, attrs });
    expectFail(one('Resize', { size: [8, 8], mode: 'bicubic', coord: 'half_pixel' }), FormatError, "attribute 'mode' = \"bicubic\", must be one of bilinear, nearest");
    expectFail(one('Resize', { size: [8, 8], mode: 'nearest', coord: 'asymmetric' }), FormatError, "attribute 'coord' = \"asymmetric\", must be one of legacy, align_corners, half_pixel");
    expectFail(one('Split', { sizes: [4, 0] }, ['y'], ['a', 'b']), FormatError, "attribute 'sizes' = [4,0], must be a non-empty list of integers in 1..65535");
    expectFail(one('Split', { sizes: [3, 3] }, ['y'], ['a']), FormatError, "node 'n' (Split): has 1 outputs, expected 2 (one per entry of sizes)");
    expectFail(one('ChannelShuffle', { groups: 0 }), FormatError, "attribute 'groups' = 0, must be an integer in 1..65535");
    expectFail(one('BatchNorm', { epsilon: -1 }, ['y', 'b', 'b', 'b', 'b']), FormatError, "attribute 'epsilon' = -1, must be a finite number in 0..1");
    expectFail(one('AvgPool', { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], countIncludePad: 1 }), FormatError, "attribute 'countIncludePad' = 1, must be true or false");
    expectFail(one('ConvTranspose2D', { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], act: 'relu', outputSize: [0, 8] }, ['y', 'w']), FormatError, "attribute 'outputSize' = [0,8]");
    expectFail(one('Concat', {}, []), FormatError, "node 'n' (Concat): has 0 inputs, Concat takes 1..1024");
    expectFail(one('Softmax', { axis: -1 }), UnsupportedOpError, "unknown attribute 'axis' = -1; Softmax has no attributes");
    expectFail(one('Activation', { act: 'relu' }, ['y', 'y']), FormatError, "has 2 inputs, Activation takes 1;");
    expectFail(one('Pad', null), FormatError, "node 'n' (Pad): attrs must be an object, got null");
  });
});

describe('blob integrity', () => {
  it('CRC mismatch after flipping one byte of a blob', () => {
    for (const [name, offset, i] of [['w', OFFSETS.w, 0], ['b', OFFSETS.b, 11], ['dw', OFFSETS.dw, 53]] as const) {
      const f = baseFile();
      f[offset + i] ^= 0x10;
      expectFail(f, FormatError, `tensor '${name}' (bytes ${offset}..`, 'has CRC-32 0x', 'the header says 0x', 'corrupt');
    }
  });

  it('CRC of the right blob but the wrong value in the header', () => {
    expectFail(withHeader((h) => (h.tensors[0].crc32 ^= 1)), FormatError, "tensor 'w' (bytes 1024..1071) has CRC-32");
  });

  it('padding bytes between blobs are not covered by the CRC', () => {
    const f = baseFile();
    f[OFFSETS.w + 60] = 0xaa; // after w's 48 bytes, before b
    expect(() => readSepconv(f)).not.toThrow();
  });

  it('structural errors are reported before CRC errors', () => {
    const blobs = baseBlobs();
    blobs.w[0] ^= 1;
    const f = baseFile((h) => (h.nodes[0].attrs.act = 'swish'), {}, blobs);
    expectFail(f, FormatError, "attribute 'act' = \"swish\"");
  });

  it('every error is a SepconvError with a stable code', () => {
    const e = errorOf(new Uint8Array(0));
    expect(e).toBeInstanceOf(SepconvError);
    expect((e as SepconvError).code).toBe('E_FORMAT');
    expect((errorOf(withHeader((h) => (h.nodes[0].op = 'X'))) as SepconvError).code).toBe('E_UNSUPPORTED_OP');
  });
});
