/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and heavy modules stay outside the server bundle and load from node_modules at run time.
  serverExternalPackages: [
    "better-sqlite3",
    "onnxruntime-node",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
  ],
  poweredByHeader: false,
  // Several builds side by side (parallel e2e work on one checkout) each set their own folder.
  distDir: process.env.PREFLAB_NEXT_DIST_DIR || ".next",
  // `npm run typecheck` checks the whole repository (trainer and CLI included) as its own step
  // of `npm test`; checking again inside every build would only double the time.
  typescript: { ignoreBuildErrors: true },
  // Every page reads the database per request; nothing is worth prerendering at build time.
  typedRoutes: false,
};

export default nextConfig;
