import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PyDict } from '@nasx/data';
import { loadTorchFile, torchFormat } from './torch-file.reader';

const PICKLES: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', '..', 'libs', 'data', 'src', 'formats', '__fixtures__', 'pickles.json'), 'utf8'),
);

/**
 * A zip archive written the zip64 way (sizes and offsets 0xffffffff in the headers, the real
 * values in zip64 extra fields and records), as torch writes archives over 4 GiB; a 4 GiB test
 * file is not needed to check that the reader follows these records.
 */
function zip64Archive(name: string, data: Buffer, padding: number): Buffer {
  const nameBuf = Buffer.from(name);
  const pad = Buffer.alloc(padding, 0x5a); // bytes before the entry, so offsets are not 0
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4);
  local.writeUInt32LE(0xffffffff, 18);
  local.writeUInt32LE(0xffffffff, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  local.writeUInt16LE(20, 28);
  const localExtra = Buffer.alloc(20);
  localExtra.writeUInt16LE(1, 0);
  localExtra.writeUInt16LE(16, 2);
  localExtra.writeBigUInt64LE(BigInt(data.length), 4);
  localExtra.writeBigUInt64LE(BigInt(data.length), 12);
  const localOffset = pad.length;
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(45, 4);
  central.writeUInt16LE(45, 6);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt16LE(28, 30);
  central.writeUInt32LE(0xffffffff, 42);
  const centralExtra = Buffer.alloc(28);
  centralExtra.writeUInt16LE(1, 0);
  centralExtra.writeUInt16LE(24, 2);
  centralExtra.writeBigUInt64LE(BigInt(data.length), 4);
  centralExtra.writeBigUInt64LE(BigInt(data.length), 12);
  centralExtra.writeBigUInt64LE(BigInt(localOffset), 20);
  const cd = Buffer.concat([central, nameBuf, centralExtra]);
  const cdOffset = pad.length + local.length + nameBuf.length + localExtra.length + data.length;
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(44n, 4);
  rec.writeUInt16LE(45, 12);
  rec.writeUInt16LE(45, 14);
  rec.writeBigUInt64LE(1n, 24);
  rec.writeBigUInt64LE(1n, 32);
  rec.writeBigUInt64LE(BigInt(cd.length), 40);
  rec.writeBigUInt64LE(BigInt(cdOffset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
  loc.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([pad, local, nameBuf, localExtra, data, cd, rec, loc, eocd]);
}

describe('loadTorchFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-torch-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('follows zip64 records to data.pkl', async () => {
    const file = path.join(dir, 'big.pth');
    fs.writeFileSync(file, zip64Archive('big/data.pkl', Buffer.from(PICKLES['2']!, 'base64'), 1000));
    expect(torchFormat(file)).toBe('legacy'); // the padding comes first: not a local header at 0
    const fileAt0 = path.join(dir, 'big0.pth');
    fs.writeFileSync(fileAt0, zip64Archive('big0/data.pkl', Buffer.from(PICKLES['2']!, 'base64'), 0));
    expect(torchFormat(fileAt0)).toBe('zip');
    const { object } = await loadTorchFile(fileAt0);
    expect((object as PyDict).get('many')).toBeInstanceOf(PyDict);
  });

  it('names the file when it is neither format', async () => {
    const file = path.join(dir, 'page.pth');
    fs.writeFileSync(file, '<!DOCTYPE html><html>Google Drive - quota exceeded</html>');
    await expect(loadTorchFile(file)).rejects.toThrow(/page\.pth is not a torch\.save file/);
  });

  it('refuses a truncated zip archive', async () => {
    const file = path.join(dir, 'cut.pth');
    const whole = zip64Archive('cut/data.pkl', Buffer.from(PICKLES['2']!, 'base64'), 0);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 30));
    await expect(loadTorchFile(file)).rejects.toThrow(/end-of-central-directory/);
  });
});
