import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pruneTensorFiles, readTensorFile, writeTensorFile } from './tensor-file';

const owner = { pkg: '@nasx/tensor', manifest: 'm.json', fix: 'delete the folder' };

describe('tensor files', () => {
  it('never overwrite the files a manifest names: a checkpoint killed before its manifest leaves the previous one whole', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tensor-file-'));
    try {
      const first = writeTensorFile(dir, 'weights.bin', new Map([['a', Float32Array.of(1, 2, 3)]]));
      expect(first.file).toMatch(/^weights\.[0-9a-f]{12}\.bin$/);
      // The next checkpoint's data written, its manifest not yet: the first entry still reads its own values.
      const second = writeTensorFile(dir, 'weights.bin', new Map([['a', Float32Array.of(4, 5, 6)]]));
      expect(second.file).not.toBe(first.file);
      expect([...readTensorFile(dir, first, owner).get('a')!]).toEqual([1, 2, 3]);
      // The same content, the same name.
      expect(writeTensorFile(dir, 'weights.bin', new Map([['a', Float32Array.of(4, 5, 6)]])).file).toBe(second.file);
      // Once the new manifest is written, pruning keeps only what it names (other files are left alone).
      fs.writeFileSync(path.join(dir, 'm.json'), '{}');
      pruneTensorFiles(dir, [second, undefined]);
      expect(fs.readdirSync(dir).sort()).toEqual(['m.json', second.file].sort());
      expect([...readTensorFile(dir, second, owner).get('a')!]).toEqual([4, 5, 6]);
      expect(() => readTensorFile(dir, first, owner)).toThrow(/names weights\.[0-9a-f]{12}\.bin, which is missing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
