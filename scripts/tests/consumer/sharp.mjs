// data without sharp: decoding an image names the package to install.
import { decodeImage } from '@mobilenets/data';

const error = await decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47])).catch((e) => e);
console.log(JSON.stringify({ name: error.name, packageName: error.packageName, message: error.message, cause: String(error.cause) }));
