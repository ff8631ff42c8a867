import path from 'path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'

// Taro build config for 共享购. Run from the repo root: `npm run build:weapp` / `npm run build:h5`
// (they `cd miniprogram && taro build --type <t>`). Each platform has its own output folder.
const sharedDir = path.resolve(__dirname, '../../shared')

export default defineConfig<'webpack5'>(async (merge) => {
  const isH5 = process.env.TARO_ENV === 'h5'
  const base: UserConfigExport<'webpack5'> = {
    projectName: 'gongxianggou',
    date: '2025-11-25',
    // NutUI is designed at 375; our own styles at 750 (Taro's default).
    designWidth(input) {
      const file = (input && typeof input === 'object' ? String((input as { file?: string }).file || '') : '').replace(/\\+/g, '/')
      return file.indexOf('@nutui') > -1 ? 375 : 750
    },
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: isH5 ? '../build/h5' : '../build/weapp',
    plugins: [],
    // build-time configuration (npm run deploy sets it): always defined, so a read of an unset one is '' and not
    // a `process` reference left in the bundle (there is no `process` in the browser or the mini-program)
    defineConstants: Object.fromEntries(
      [
        'TARO_APP_CLOUD_ENV',
        'TARO_APP_TMPL_RELEASE_NOTICE',
        'TARO_APP_TMPL_MARKET_TRADE_PAID',
        'TARO_APP_TMPL_MARKET_TRADE_COMPLETED',
        'TARO_APP_TMPL_MARKET_TRADE_CANCELLED',
        'TARO_APP_TMPL_MARKET_APPEAL_DECIDED',
      ].map((k) => [`process.env.${k}`, JSON.stringify(process.env[k] ?? '')]),
    ),
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    mini: {
      // the pure domain modules in ../shared are TypeScript: let babel compile them too
      compile: { include: [sharedDir] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      optimizeMainPackage: { enable: true },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedDir] },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      // pages are loaded lazily; let them share chunks (PageShell, NutUI, the client) instead of each carrying a copy
      webpackChain(chain) {
        const split = chain.optimization.get('splitChunks')
        if (split && typeof split === 'object') chain.optimization.set('splitChunks', { ...split, chunks: 'all' })
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  }
  return merge({}, base, process.env.NODE_ENV === 'development' ? { mini: {}, h5: {} } : { mini: {}, h5: {} })
})
