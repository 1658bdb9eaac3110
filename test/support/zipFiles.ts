/** Reads a zip the way Lambda would unpack it (yauzl): its entry names, or every file into a directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

function open(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(path, { lazyEntries: true }, (error, zip) => (error ? reject(error) : resolve(zip))));
}

async function eachEntry(path: string, visit: (zip: ZipFile, entry: Entry) => Promise<void>): Promise<void> {
  const zip = await open(path);
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      visit(zip, entry).then(() => zip.readEntry(), reject);
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
}

/** The names of the files in the zip (directories left out). */
export async function zipEntryNames(path: string): Promise<string[]> {
  const names: string[] = [];
  await eachEntry(path, async (_zip, entry) => {
    if (!entry.fileName.endsWith('/')) names.push(entry.fileName);
  });
  return names;
}

/** Unpacks every file of the zip under `directory`. */
export async function unzipTo(path: string, directory: string): Promise<void> {
  await eachEntry(path, async (zip, entry) => {
    if (entry.fileName.endsWith('/')) return;
    const content = await new Promise<Buffer>((resolve, reject) =>
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
      }),
    );
    const target = join(directory, entry.fileName);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  });
}
