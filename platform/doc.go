// Package platform describes, as data, how each uni-app host platform
// shapes the socket API: which URLs it accepts, how many sockets it allows,
// which connectSocket options it honours, what its event payloads carry and
// in which order its events fire.
//
// The core (package uni) reads a Profile and never tests a platform's name,
// so adding a platform means adding a row to the table in profiles.go.
package platform
