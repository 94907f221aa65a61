// Run by runtimes.test.mjs under Node, Bun and Deno: every entry point from CommonJS `require`, compared with
// `import` of the same entry in the same process (one module instance: the .cjs entries load the ES modules).
const ENTRIES = [
  '@mobilenets/ops',
  '@mobilenets/ops/testing',
  '@mobilenets/blocks',
  '@mobilenets/zoo',
  '@mobilenets/data',
  '@mobilenets/infer',
  '@mobilenets/train',
  '@mobilenets/train/node',
];

async function main() {
  const result = {};
  for (const entry of ENTRIES) {
    const required = require(entry);
    const imported = await import(entry);
    const names = Object.keys(imported).filter((k) => k !== 'default' && k !== 'module.exports');
    result[entry] = { exports: names.length, same: names.every((k) => required[k] === imported[k]) };
  }
  console.log(JSON.stringify(result));
}
main();
