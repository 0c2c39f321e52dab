package chromium

import "github.com/chromedp/chromedp"

// Options are the chromedp allocator options that start Debian's
// Chromium at execPath headless, as root, with a fresh profile in
// userDataDir. The networking switches matter here: without them
// Chromium's background connections are refused by a closed network, many
// at a time, and it looks up Google's hosts at every start.
func Options(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
	}
}
