import { createHash } from 'node:crypto';
import { alloyConfigHash } from '../../alloy-lint';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('alloyConfigHash (what Alloy exports as alloy_config_hash)', () => {
  it('is SHA-256 over the contents concatenated in file-name order, with no separator', () => {
    const files = [
      { name: 'b.alloy', content: 'B' },
      { name: 'a.alloy', content: 'A' },
    ];
    expect(alloyConfigHash(files)).toBe(sha256('AB'));
  });

  it('orders names by bytes, as Go sorts strings (upper case before lower case)', () => {
    const files = [
      { name: 'a.alloy', content: 'lower' },
      { name: 'Z.alloy', content: 'upper' },
    ];
    expect(alloyConfigHash(files)).toBe(sha256('upperlower'));
  });

  it('counts only *.alloy files, as Alloy loads no others from the folder', () => {
    const files = [
      { name: 'notes.txt', content: 'ignored' },
      { name: 'main.alloy', content: 'x' },
    ];
    expect(alloyConfigHash(files)).toBe(sha256('x'));
  });

  it('hashes bytes as given (Uint8Array and string agree)', () => {
    expect(alloyConfigHash([{ name: 'm.alloy', content: Buffer.from('é') }])).toBe(
      alloyConfigHash([{ name: 'm.alloy', content: 'é' }]),
    );
  });
});
