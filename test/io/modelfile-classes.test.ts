import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/errors.js';
import { modelClasses } from '../../src/experiment/labels.js';
import { parseSafetensors, readFloatTensor, serializeSafetensors } from '../../src/io/safetensors.js';
import { Network } from '../../src/nn/network.js';

// The model file's `classes`: label values (numbers or names) by output unit. Files written before
// numbers were kept (null, or names) load with the meaning they had.

/** The same file with its config's `classes` replaced (or removed, for `undefined`). */
function withClasses(bytes: Uint8Array, classes: unknown): Uint8Array {
  const file = parseSafetensors(bytes, 'm');
  const config = JSON.parse(file.metadata!.config!) as Record<string, unknown>;
  if (classes === undefined) delete config.classes;
  else config.classes = classes;
  const tensors = file.tensors.map((t) => ({ name: t.name, shape: t.shape, data: readFloatTensor(file, t) }));
  return serializeSafetensors(tensors, { ...file.metadata!, config: JSON.stringify(config) });
}

describe('model file classes', () => {
  const net = () => new Network({ layerDims: [2, 3, 1] });

  it('numeric classes round-trip as numbers', () => {
    const a = net();
    a.classes = [5, 7];
    expect(Network.fromBytes(a.toBytes()).classes).toEqual([5, 7]);
  });

  it('a file without classes (or null) loads with its outputs as the classes 0/1; names stay names', () => {
    const bytes = net().toBytes();
    for (const old of [withClasses(bytes, undefined), withClasses(bytes, null)]) {
      const loaded = Network.fromBytes(old, 'old.safetensors');
      expect(loaded.classes).toBeNull();
      expect(modelClasses(loaded)).toEqual([0, 1]);
    }
    expect(modelClasses(Network.fromBytes(withClasses(bytes, ['non-cat', 'cat'])))).toEqual(['non-cat', 'cat']);
  });

  it.each([
    ['a repeated class', [1, 1]],
    ['an object', [{ a: 1 }]],
    ['a boolean', [true, false]],
    ['not a list', 'cat'],
  ])('%s is a ModelFileError naming the file and the field', (_what, classes) => {
    const bad = withClasses(net().toBytes(), classes);
    expect(() => Network.fromBytes(bad, 'bad.safetensors')).toThrow(ModelFileError);
    expect(() => Network.fromBytes(bad, 'bad.safetensors')).toThrow(/^bad\.safetensors: config\.classes must be null or a list of distinct class labels \(numbers or strings\)/);
  });
});
