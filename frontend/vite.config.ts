/// <reference types="vitest/config" />
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Brotli and gzip copies beside every script, style sheet and page of the build: `ems up`
 * (aiohttp's FileResponse) and nginx (`gzip_static`) send the copy the browser accepts, so
 * nothing is compressed per request and a slow connection gets a quarter of the bytes.
 */
function precompress(): Plugin {
  const worth = /\.(js|css|html|svg|json)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: 'precompress',
    apply: 'build',
    writeBundle(options) {
      for (const path of walk(options.dir ?? 'dist')) {
        if (!worth.test(path)) continue;
        const content = readFileSync(path);
        if (content.length < 1024) continue;
        writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// Served by `ems up` (and nginx in Swarm) on the same origin as /function/* and /socket.io/;
// in `npm run dev` those are proxied to a running `ems up`.
const backend = process.env.EMS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1500,
    // Libraries change less often than the app: separate files stay cached across releases.
    rollupOptions: {
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom'],
          mantine: ['@mantine/core', '@mantine/hooks', '@mantine/dates', '@mantine/notifications', 'dayjs'],
          charts: ['recharts'],
          data: ['@tanstack/react-query', 'socket.io-client'],
        },
      },
    },
  },
  server: {
    // the contract, which src/api/schema.test.ts checks schema.d.ts against
    fs: { allow: ['.', '../docs'] },
    proxy: {
      '/function': backend,
      '/openapi.yaml': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.tsx', 'src/**/*.test.ts'],
    css: false,
    globals: true,
    // A deadline, not a speed check: a loaded two-core machine renders Mantine slowly.
    testTimeout: 30_000,
  },
});
