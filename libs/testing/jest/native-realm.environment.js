// A Node test environment whose typed arrays and ArrayBuffer are the host realm's, for specs that call
// native addons checking `instanceof Float32Array` (onnxruntime-node): in Jest's default sandbox the
// test's Float32Array is another realm's constructor and the addon refuses it. Opt in per spec file
// with the docblock `@jest-environment <rootDir>/libs/testing/jest/native-realm.environment.js`.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class NativeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NativeRealmEnvironment;
