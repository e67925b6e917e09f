/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by `ems up` (and nginx in Swarm) on the same origin as /function/* and /socket.io/;
// in `npm run dev` those are proxied to a running `ems up`.
const backend = process.env.EMS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
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
