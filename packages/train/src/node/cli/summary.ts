import type { History } from '../../fit.js';

export interface RunSummary {
  model: string;
  data: string;
  trainImages: number;
  val: string;
  valImages: number;
  params: number;
  macs: number;
  backend: string;
  seconds: number;
  out: string;
  classes: string[];
  history: History;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);
const int = (n: number) => n.toLocaleString('en-US');

/** The final summary as text: the run, a row per epoch, the best checkpoint, the confusion matrix. */
export function formatSummary(s: RunSummary): string {
  const h = s.history;
  const lines = [
    `${s.model} on ${s.data}: ${int(s.trainImages)} training images, validation ${s.val} (${int(s.valImages)})`,
    `params ${int(s.params)}, MACs ${(s.macs / 1e6).toFixed(2)} M, backend ${s.backend}, ${(s.seconds / 60).toFixed(1)} min${h.stopped ? ' (stopped early)' : ''}`,
    '',
    `${'epoch'.padStart(5)} ${'lr'.padStart(9)} ${'train loss'.padStart(10)} ${'train top-1'.padStart(11)} ${'val loss'.padStart(9)} ${'val top-1'.padStart(9)} ${'val top-5'.padStart(9)} ${'EMA top-1'.padStart(9)} ${'img/s'.padStart(6)}`,
    ...h.epochs.map(
      (r) =>
        `${String(r.epoch).padStart(5)} ${r.lr.toExponential(2).padStart(9)} ${r.train.loss.toFixed(4).padStart(10)} ${pct(r.train.top1).padStart(11)} ${(r.val ? r.val.loss.toFixed(4) : '-').padStart(9)} ${pct(r.val?.top1).padStart(9)} ${pct(r.val?.top5).padStart(9)} ${pct(r.emaVal?.top1).padStart(9)} ${r.imagesPerSecond.toFixed(0).padStart(6)}`,
    ),
    '',
  ];
  if (h.best) lines.push(`best ${h.best.metric} ${h.best.metric.endsWith('loss') ? h.best.value.toFixed(4) : pct(h.best.value)} at epoch ${h.best.epoch}: ${s.out}/best`);
  lines.push(`last: ${s.out}/last · log: ${s.out}/log.jsonl · curves: ${s.out}/curves.svg`);
  if (h.confusion && s.classes.length <= 20) {
    const w = Math.max(5, ...h.confusion.flat().map((n) => String(n).length + 1));
    const name = Math.max(...s.classes.map((c) => c.length));
    lines.push('', 'confusion matrix (rows: true class, columns: predicted)');
    lines.push(`${' '.repeat(name)} ${s.classes.map((_, i) => String(i).padStart(w)).join('')}`);
    for (const [i, row] of h.confusion.entries()) lines.push(`${s.classes[i]!.padEnd(name)} ${row.map((n) => String(n).padStart(w)).join('')}  (${i})`);
  }
  return `${lines.join('\n')}\n`;
}
