import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The console is plain Preact; esbuild's automatic JSX runtime needs no plugin.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  logLevel: 'warn',
});
