/**
 * A minimal ustar writer for a flat folder of small files: the upload is one `tar -x` on the NAS fed through one
 * exec channel (Synology's SFTP may map shared folders to other paths than the shell sees).
 */
export interface TarEntry {
  readonly name: string;
  readonly content: Buffer;
  readonly mode?: number;
  readonly mtime?: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length > 100) throw new Error(`file name too long for the upload: ${entry.name}`);
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0);
  h.write(octal(entry.mode ?? 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(entry.content.length, 12), 124, 'ascii');
  h.write(octal(Math.floor(entry.mtime ?? Date.now() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The archive as a list of buffers (headers, contents, padding, end marker) ready to stream. */
export function tarChunks(entries: readonly TarEntry[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    chunks.push(header(entry), entry.content);
    const pad = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
    if (pad) chunks.push(Buffer.alloc(pad));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return chunks;
}
