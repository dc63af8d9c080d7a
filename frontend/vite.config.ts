import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go binary embeds dist/ and serves it at the root, answering index.html for any
// unknown non-/api path so that history-mode routes survive a reload.
export default defineConfig({
  base: '/',
  plugins: [vue()],
  define: {
    // vue-i18n feature flags: the composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // `wails dev` and `npm run dev` talk to a station started with `bingzhan serve`.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
})
