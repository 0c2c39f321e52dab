// The page's entry: the same global registration a uni-app H5 build
// generates (uni-h5-vite's pages.json plugin, without tree shaking), and
// nothing else. No stub is needed: the socket APIs run without the app
// being mounted, and without window.__uniConfig (uni-h5 checks for it
// before reading locales). The socket code that runs is uni-h5's own.
import {
  uni,
  upx2px,
  getCurrentPages,
  getApp,
  UniServiceJSBridge,
  UniViewJSBridge,
} from '@dcloudio/uni-h5'

window.getApp = getApp
window.getCurrentPages = getCurrentPages
window.wx = uni
window.uni = uni
window.UniViewJSBridge = UniViewJSBridge
window.UniServiceJSBridge = UniServiceJSBridge
window.rpx2px = upx2px
