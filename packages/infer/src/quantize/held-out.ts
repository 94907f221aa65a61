import { fashionMnist } from '@mobilenets/data';
import type { PixelData } from '../input.js';

export interface HeldOutSet {
  name: string;
  images: PixelData[];
  labels: number[];
}

/** The first `count` images of Fashion-MNIST's test split (Debian's dataset-fashion-mnist, or `dir`) as grey pixels. */
export async function fashionMnistTest(count: number, dir?: string): Promise<HeldOutSet> {
  const data = await fashionMnist({ split: 'test', ...(dir ? { dir } : {}) });
  const n = Math.min(count, data.size);
  const images: PixelData[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const { image, label } = await data.get(i);
    const [height, width] = image.shape;
    images.push({ data: Uint8Array.from(await image.data()), width, height });
    image.dispose();
    labels.push(label);
  }
  return { name: 'Fashion-MNIST test images', images, labels };
}
