import { type Classification, type FailedImage, isFailed } from '../../predictions.js';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

type Result = Classification | FailedImage;
const nameOf = (r: Result) => r.file ?? (isFailed(r) ? r.input : '');
/** The message without its leading "path: " (the row already names the file). */
const reason = (r: FailedImage) => (r.file && r.error.message.startsWith(`${r.file}: `) ? r.error.message.slice(r.file.length + 2) : r.error.message);
const csvField = (v: string | number) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));

/** How predictions are written: a header (or none) and each result's lines. */
export interface Formatter {
  header(): string;
  lines(r: Result): string;
}

export function formatter(format: Format, nameWidth: number): Formatter {
  switch (format) {
    case 'json':
      // JSON Lines: the prediction objects of the contract, an error as its message.
      return {
        header: () => '',
        lines: (r) => `${JSON.stringify(isFailed(r) ? { file: nameOf(r), error: reason(r) } : r)}\n`,
      };
    case 'csv':
      return {
        header: () => 'file,rank,class_id,label,score,error\n',
        lines: (r) =>
          isFailed(r)
            ? `${csvField(nameOf(r))},,,,,${csvField(reason(r))}\n`
            : `${r.classIds.map((id, i) => [nameOf(r), i + 1, id, r.labelNames[i]!, r.scores[i]!.toFixed(6), ''].map(csvField).join(',')).join('\n')}\n`,
      };
    case 'table': {
      const width = Math.max(nameWidth, 5);
      return {
        header: () => `${'image'.padEnd(width)}  classes, best first (probability)\n`,
        lines: (r) =>
          `${nameOf(r).padEnd(width)}  ${isFailed(r) ? `FAILED: ${reason(r)}` : r.labelNames.map((l, i) => `${l} ${r.scores[i]!.toFixed(3)}`).join(' · ')}\n`,
      };
    }
  }
}

/** A progress bar on stderr, drawn only on a terminal (quiet when stderr is piped or redirected). */
export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): { update(done: number): void; end(): void } {
  if (!stream.isTTY || total === 0) return { update() {}, end() {} };
  const width = 30;
  const started = Date.now();
  return {
    update(done) {
      const filled = Math.round((done / total) * width);
      const rate = done / Math.max((Date.now() - started) / 1000, 1e-3);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images, ${rate.toFixed(1)} img/s`);
    },
    end() {
      stream.write('\r\x1b[K');
    },
  };
}
