// What a lean install says about the packages it left out.
import { initBackend } from '@mobilenets/ops';

const webgpu = await initBackend('webgpu').catch((e) => ({ name: e.name, missingPackage: e.missingPackage, message: e.message, cause: String(e.cause) }));
const auto = await initBackend('auto');
console.log(JSON.stringify({ webgpu, auto }));
