// Package doccheck checks the repository's Markdown: every relative link in
// every .md file must name a file or directory that exists, and every
// #anchor must match a heading of its target as GitHub renders it. External
// http(s) and mailto links are not fetched.
//
// The package has no code of its own; the check is its test, so it runs in
// go test ./... and in CI:
//
//	go test ./internal/doccheck
package doccheck
