// The page's entry: the same global registration a uni-app H5 build
// generates (uni-h5-vite's pages.json plugin, without tree shaking), and
// nothing else. The socket code that runs is uni-h5's own.
import {
  uni,
  upx2px,
  getCurrentPages,
  getApp,
  UniServiceJSBridge,
  UniViewJSBridge,
} from '@dcloudio/uni-h5'

// Stub: a uni-app build defines __uniConfig from pages.json and
// manifest.json; uni-h5 reads it (locales, networkTimeout) when an API
// runs. An empty app needs only these fields.
window.__uniConfig = {
  locales: {},
  networkTimeout: {},
  router: { mode: 'hash', base: '/' },
  darkmode: false,
  themeConfig: {},
}
window.getApp = getApp
window.getCurrentPages = getCurrentPages
window.wx = uni
window.uni = uni
window.UniViewJSBridge = UniViewJSBridge
window.UniServiceJSBridge = UniServiceJSBridge
window.rpx2px = upx2px
