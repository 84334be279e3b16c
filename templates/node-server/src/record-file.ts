// TASKCHAIN_RECORD=<file>: record lines appended to a file that never grows past its cap. At the
// cap the file becomes `<file>.1` (replacing the one before) and a new one starts, so a recording
// left on holds at most twice the cap.
import { appendFile, rename, stat } from "node:fs/promises";

/** Lines waiting to be written; past this the disk is not keeping up and new lines are dropped. */
const MAX_PENDING = 1000;

/** A record sink (see taskchain/record.ts): each call's promise settles when its line is written. */
export function fileRecordSink(file: string, maxBytes: number): (line: string) => Promise<void> {
  let pending = 0;
  let size: number | undefined;
  let queue = Promise.resolve();
  const write = async (line: string) => {
    const bytes = Buffer.byteLength(line) + 1;
    size ??= await stat(file).then((s) => s.size, () => 0);
    if (size > 0 && size + bytes > maxBytes) {
      await rename(file, `${file}.1`);
      size = 0;
    }
    await appendFile(file, `${line}\n`);
    size += bytes;
  };
  return (line) => {
    if (pending >= MAX_PENDING) return Promise.reject(new Error(`${MAX_PENDING} record lines are waiting for ${file}; dropping new ones`));
    pending++;
    // One write at a time, so lines never interleave and the size stays right; a failed write
    // (reported by the recorder) does not stop the next.
    const written = queue.then(() => write(line)).finally(() => pending--);
    queue = written.catch(() => {});
    return written;
  };
}
