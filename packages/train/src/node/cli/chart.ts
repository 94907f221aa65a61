import type { EpochRecord } from '../../state.js';

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

const W = 360;
const H = 220;
const PAD = { left: 48, right: 12, top: 28, bottom: 32 };

const fmt = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One panel: axes, ticks at the range's ends and middle, a polyline (and dots) per series, a legend. */
function panel(title: string, series: Series[], x0: number, fixed?: [number, number]): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [xMin, xMax] = [Math.min(...xs, 1), Math.max(...xs, 2)];
  let [yMin, yMax] = fixed ?? [Math.min(...ys), Math.max(...ys)];
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const px = (x: number) => x0 + PAD.left + ((x - xMin) / (xMax - xMin)) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (y - yMin) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
  const out = [
    `<text x="${x0 + PAD.left}" y="16" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x0 + PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#999"/>`,
  ];
  for (const y of [yMin, (yMin + yMax) / 2, yMax]) out.push(`<text x="${x0 + PAD.left - 4}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  for (const x of [xMin, xMax]) out.push(`<text x="${px(x)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${x}</text>`);
  out.push(`<text x="${x0 + (W + PAD.left) / 2}" y="${H - 4}" text-anchor="middle">epoch</text>`);
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${s.color}"/>`);
    const ly = PAD.top + 12 + i * 14;
    out.push(`<text x="${x0 + W - PAD.right - 4}" y="${ly}" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Loss and top-1 accuracy per epoch (train, validation, EMA on validation) as a standalone SVG. */
export function curvesSvg(history: readonly EpochRecord[], title: string): string {
  const series = (name: string, color: string, pick: (r: EpochRecord) => number | undefined): Series => ({
    name,
    color,
    points: history.flatMap((r) => {
      const v = pick(r);
      return v === undefined ? [] : [[r.epoch, v] as [number, number]];
    }),
  });
  const loss = [series('train', '#1f77b4', (r) => r.train.loss), series('val', '#d62728', (r) => r.val?.loss)];
  const acc = [
    series('train', '#1f77b4', (r) => r.train.top1 * 100),
    series('val', '#d62728', (r) => (r.val ? r.val.top1 * 100 : undefined)),
    series('EMA val', '#2ca02c', (r) => (r.emaVal ? r.emaVal.top1 * 100 : undefined)),
  ].filter((s) => s.points.length > 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(`${title}: loss`, loss.filter((s) => s.points.length > 0), 0),
    panel('top-1 accuracy (%)', acc, W),
    '</svg>',
    '',
  ].join('\n');
}
