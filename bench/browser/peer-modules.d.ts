// The browser peers live in bench/peers/ (installed by `npm run bench:peers`),
// outside this package's module resolution; esbuild finds them there.
declare module "@litertjs/core";
declare module "@tensorflow/tfjs-core";
declare module "@tensorflow/tfjs-backend-wasm";
