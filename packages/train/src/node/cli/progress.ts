import cliProgress from 'cli-progress';
import type { BatchInfo } from '../../fit.js';

/** A live bar per epoch on stderr (loss, accuracy, lr, img/s, ETA); nothing when stderr is not a terminal. */
export class EpochProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly live = process.stderr.isTTY === true;

  constructor(private readonly epochs: number) {}

  start(epoch: number, batches: number): void {
    if (!this.live) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `epoch {epoch}/${this.epochs} [{bar}] {value}/{total} | loss {loss} | acc {acc} | lr {lr} | {ips} img/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(batches, 0, { epoch, loss: '-', acc: '-', lr: '-', ips: '-' });
  }

  update(b: BatchInfo): void {
    this.bar?.update(b.batch, {
      epoch: b.epoch,
      loss: b.loss.toFixed(4),
      acc: `${(b.top1 * 100).toFixed(1)}%`,
      lr: b.lr.toExponential(2),
      ips: b.imagesPerSecond.toFixed(0),
    });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
