// npm runs this in a package directory before packing or publishing: the tarball carries the root LICENSE.
import { copyFileSync } from 'node:fs';

copyFileSync(new URL('../LICENSE', import.meta.url), 'LICENSE');
