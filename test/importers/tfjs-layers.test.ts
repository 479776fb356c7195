import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { decodeBase64, parseUmdExport, parseUmdModelJson, parseUmdShard, readTfjsModelFiles } from '../../src/importers/tfjs/index.js';

const N = 'test/fixtures/nsfwjs';

describe('UMD model modules (nsfwjs packaging), parsed without evaluation', () => {
  const wrap = (body: string) => `!function(e){module.exports=e()}(function(){return function e(a,n,i){return 0}({1:[function(e,a,n){${body}},{}]},{},[1])(1)});`;

  it('reads JS object literals: unquoted / quoted keys, !0 / !1, .5 / -.5 / 1e-3 numbers, null, strings with escapes', () => {
    const v = parseUmdExport(wrap(`a.exports={x:!0,y:!1,"in:0":{z:[.5,-.5,1e-3,-2E+2,0x10,null]},s:'it\\'s "q" \\u00e9\\n',t:"",u:void 0,v:[],w:{}}`), 'm.js');
    expect(v).toEqual({ x: true, y: false, 'in:0': { z: [0.5, -0.5, 1e-3, -200, 16, null] }, s: 'it\'s "q" é\n', t: '', u: undefined, v: [], w: {} });
  });

  it('a __proto__ key is a plain property (no prototype change)', () => {
    const v = parseUmdExport(wrap('a.exports={__proto__:{polluted:1}}'), 'm.js') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect((v as { polluted?: number }).polluted).toBeUndefined();
  });

  it('code in place of data is a FormatError, never run', () => {
    (globalThis as { __umdRan?: boolean }).__umdRan = false;
    for (const body of [
      'a.exports={x:(globalThis.__umdRan=true)}',
      'a.exports={x:1}+function(){globalThis.__umdRan=true}()',
      'a.exports={x:`tpl`}',
      'a.exports={x:1',
      'a.exports="abc',
      'a.exports={x:1};a.exports={y:2}',
      'a.exports=require("x")',
    ]) {
      expect(() => parseUmdExport(wrap(body), 'evil.min.js'), body).toThrow(FormatError);
    }
    expect((globalThis as { __umdRan?: boolean }).__umdRan).toBe(false);
  });

  it('a file that is not a UMD module, or exports the wrong kind of literal, is a FormatError naming the file and what was expected', () => {
    expect(() => parseUmdModelJson('console.log(1)', 'x/model.min.js')).toThrow(/x\/model\.min\.js: not a UMD model module: expected .*exports = <object or string literal>/);
    expect(() => parseUmdModelJson(wrap('a.exports="QUJD"'), 'model.min.js')).toThrow(/exports a string of 4 characters; expected the model.json object/);
    expect(() => parseUmdShard(wrap('a.exports={}'), 'shard.min.js')).toThrow(/shard\.min\.js: the module exports an object; expected a base64 string/);
    expect(() => parseUmdShard(wrap('a.exports="QU*D"'), 'shard.min.js')).toThrow(/not base64 \(character "\*" at offset 2\)/);
  });

  it('base64 decoding matches Buffer on every padding length', () => {
    for (let n = 0; n < 9; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + 7) & 255);
      const s = Buffer.from(bytes).toString('base64');
      expect(decodeBase64(s, 't'), s).toEqual(bytes);
      expect(decodeBase64(s.replace(/=+$/, ''), 't')).toEqual(bytes);
    }
  });

  it('nsfwjs model.min.js + group1-shard*.min.js: manifest paths without extension map to <path>.min.js', async () => {
    const lay = await readTfjsModelFiles(`${N}/mobilenet_v2/model.min.js`);
    expect((lay.modelJson.modelTopology as { model_config: { class_name: string } }).model_config.class_name).toBe('Model');
    expect(lay.weights.length).toBe(2619461);
    const mid = await readTfjsModelFiles(new URL(`../../${N}/mobilenet_v2_mid/model.min.js`, import.meta.url));
    expect(mid.modelJson.format).toBe('graph-model');
    expect(mid.weights.length).toBe(4194304 + 106471);
    const layers = (lay.modelJson.modelTopology as { model_config: { config: { layers: { class_name: string; config: { sparse?: boolean } }[] } } }).model_config.config.layers;
    expect(layers[0]).toMatchObject({ class_name: 'InputLayer', config: { sparse: false, batch_input_shape: [null, 224, 224, 3] } });
  });
});
