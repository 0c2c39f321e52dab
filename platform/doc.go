// Package platform describes, as data, how each uni-app host platform
// shapes the socket API: which URLs it accepts, how many sockets it allows,
// which connectSocket options it honours, what its event payloads carry and
// in which order its events fire.
//
// The core (package uni) reads a Profile and never tests a platform's name,
// so adding a platform means adding a row to the table in profiles.go.
// Lookup and Names give the profiles by name; Rules lists the table's rows
// and Markdown renders them (PROFILES.md is generated from it, and a test
// fails when it is stale: go test ./platform -run TestProfilesDoc -update
// rewrites it).
//
// Whitelist is the mini-program hosts' socket domain list. Its matcher
// reduces a URL's host to the one form that is compared and dialled: it
// reads IPv4 addresses in every notation a browser accepts (2130706433,
// 0x7f.1, 017700000001), lower-cases, drops a trailing dot, ignores
// userinfo, and maps internationalised names with golang.org/x/net/idna
// (UTS #46, as browsers do) into punycode, refusing a name the mapping
// would rewrite beyond case. Alipay's rule, a host matched on its
// registrable domain, uses golang.org/x/net/publicsuffix.
package platform
