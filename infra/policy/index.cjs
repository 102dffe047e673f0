// Pulumi's policy runner require()s the pack's main. The pack is ESM TypeScript like the program
// (Pulumi.yaml runs it with `--import tsx`); tsx's CommonJS API loads it the same way.
const { require: tsxRequire } = require('tsx/cjs/api');
module.exports = tsxRequire('./index.ts', __filename);
