// Package chromium starts headless Chromium for the tests that check pages
// in a real browser (the load report, the H5 parity harness). It is its
// own package so that only those tests depend on chromedp.
package chromium
