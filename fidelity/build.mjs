// Bundles uni-h5 for the fidelity page twice, as uni-app's H5 builds do:
// dist/uni-h5.development.js and dist/uni-h5.production.js. `vue` is
// mapped to @dcloudio/uni-h5-vue (as uni-app's vite config aliases it), and
// the compile-time flags get the values uni-cli-shared gives an app with
// one page and default manifest.json.
import * as esbuild from 'esbuild'

const features = {
  __UNI_FEATURE_WX__: 'true',
  __UNI_FEATURE_WXS__: 'true',
  __UNI_FEATURE_RPX__: 'true',
  __UNI_FEATURE_PROMISE__: 'false',
  __UNI_FEATURE_LONGPRESS__: 'true',
  __UNI_FEATURE_I18N_EN__: 'true',
  __UNI_FEATURE_I18N_ES__: 'true',
  __UNI_FEATURE_I18N_FR__: 'true',
  __UNI_FEATURE_I18N_ZH_HANS__: 'true',
  __UNI_FEATURE_I18N_ZH_HANT__: 'true',
  __UNI_FEATURE_I18N_LOCALE__: 'false',
  __UNI_FEATURE_UNI_CLOUD__: 'false',
  __UNI_FEATURE_NVUE__: 'false',
  __UNI_FEATURE_ROUTER_MODE__: '"hash"',
  __UNI_FEATURE_PAGES__: 'false',
  __UNI_FEATURE_TABBAR__: 'false',
  __UNI_FEATURE_TABBAR_MIDBUTTON__: 'false',
  __UNI_FEATURE_TOPWINDOW__: 'false',
  __UNI_FEATURE_LEFTWINDOW__: 'false',
  __UNI_FEATURE_RIGHTWINDOW__: 'false',
  __UNI_FEATURE_RESPONSIVE__: 'false',
  __UNI_FEATURE_NAVIGATIONBAR__: 'false',
  __UNI_FEATURE_PULL_DOWN_REFRESH__: 'false',
  __UNI_FEATURE_NAVIGATIONBAR_BUTTONS__: 'false',
  __UNI_FEATURE_NAVIGATIONBAR_SEARCHINPUT__: 'false',
  __UNI_FEATURE_NAVIGATIONBAR_TRANSPARENT__: 'false',
}

for (const mode of ['development', 'production']) {
  await esbuild.build({
    entryPoints: ['page/entry.js'],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome100',
    minify: mode === 'production',
    outfile: `dist/uni-h5.${mode}.js`,
    alias: { vue: '@dcloudio/uni-h5-vue' },
    // uni-h5's package.json lists its stylesheets as side effects only;
    // the page renders nothing, so CSS imports are left out.
    loader: { '.css': 'empty' },
    define: { 'process.env.NODE_ENV': JSON.stringify(mode), __DEV__: String(mode === 'development'), ...features },
    logLevel: 'warning',
  })
}
