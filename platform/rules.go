package platform

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule is one row of the profile table: a behaviour on which profiles may
// differ, named after the Profile field that holds it.
type Rule struct {
	// Name is the Profile field's name; Profile.Sources is keyed by it.
	Name string
	// Doc says in a few words what the rule decides.
	Doc string
	// Value renders a profile's value for the table.
	Value func(Profile) string
}

// Rules returns the rows of the profile table, in the order PROFILES.md
// shows them.
func Rules() []Rule {
	return []Rule{
		{"SecureOnly", "only wss:// URLs are accepted", func(p Profile) string { return yesNo(p.SecureOnly) }},
		{"TestBuildWS", "a test build also accepts ws://", func(p Profile) string { return yesNo(p.TestBuildWS) }},
		{"CheckDomain", "the host must be on the socket domain list (IP literals and localhost never are)", func(p Profile) string { return yesNo(p.CheckDomain) }},
		{"DomainMatch", "how a host matches a listed domain", func(p Profile) string {
			if !p.CheckDomain {
				return "—"
			}
			return p.DomainMatch.String()
		}},
		{"LANIP", "the LAN switch admits private IP literals (never loopback)", func(p Profile) string { return yesNo(p.LANIP) }},
		{"MaxSockets", "sockets connecting, open or closing at once", func(p Profile) string { return quota(p.MaxSockets) }},
		{"MaxSocketsMultiple", "the same with multiple: true", func(p Profile) string {
			if p.MaxSocketsMultiple == 0 {
				return "—"
			}
			return quota(p.MaxSocketsMultiple)
		}},
		{"QuotaErrMsg", "the fail errMsg when the quota is full", func(p Profile) string {
			if p.MaxSockets == 0 {
				return "—"
			}
			s := "`connectSocket:fail " + p.QuotaCause(6, false) + "`"
			if p.MaxSocketsMultiple > 0 {
				s += "; multiple: `connectSocket:fail " + p.QuotaCause(6, true) + "`"
			}
			return s
		}},
		{"Header", "the header option reaches the server", func(p Profile) string { return yesNo(p.Header) }},
		{"Method", "the method option reaches the server", func(p Profile) string { return yesNo(p.Method) }},
		{"Protocols", "the protocols option reaches the server", func(p Profile) string { return yesNo(p.Protocols) }},
		{"Referer", "header may set Referer", func(p Profile) string { return yesNo(p.Referer) }},
		{"Timeout", "a per-call timeout overrides networkTimeout.connectSocket", func(p Profile) string { return yesNo(p.Timeout) }},
		{"OpenHeader", "onOpen carries the response header", func(p Profile) string { return payload(p.OpenHeader, "{header}") }},
		{"ErrorMessage", "onError carries errMsg", func(p Profile) string { return payload(p.ErrorMessage, "{errMsg}") }},
		{"CloseBeforeOpen", "close while connecting", func(p Profile) string { return p.CloseBeforeOpen.String() }},
		{"HandshakeFailure", "events of a failed handshake", func(p Profile) string { return p.HandshakeFailure.String() }},
		{"Drop", "events of an open connection ended without a close frame", func(p Profile) string { return p.Drop.String() }},
		{"ListenerOrder", "task listeners against global ones", func(p Profile) string { return p.ListenerOrder.String() }},
		{"Results", "when send and close results run", func(p Profile) string { return p.Results.String() }},
		{"CloseTexts", "wording of a refused close code or reason", func(p Profile) string { return p.CloseTexts.String() }},
		{"GlobalAPI", "uni.onSocket*, sendSocketMessage and closeSocket exist", func(p Profile) string { return yesNo(p.GlobalAPI) }},
		{"WXIsUni", "JavaScript's wx is uni (Promise form included)", func(p Profile) string { return yesNo(p.WXIsUni) }},
		{"TaskListenerCheck", "a task.on* argument that is not a function", func(p Profile) string { return p.TaskListenerCheck.String() }},
		{"SendErrCode", "task.send's fail carries errCode (10002: not open)", func(p Profile) string { return yesNo(p.SendErrCode) }},
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func quota(n int) string {
	if n == 0 {
		return "no limit"
	}
	return strconv.Itoa(n)
}

func payload(full bool, shape string) string {
	if full {
		return shape
	}
	return "{}"
}

// Markdown renders the profile table: one row per rule, one column per
// profile, each cell followed by the reference tags it rests on. It is the
// body of PROFILES.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Platform profiles\n\n")
	b.WriteString("<!-- Generated from platform/profiles.go by `go test ./platform -run TestProfilesDoc -update`. Do not edit. -->\n\n")
	b.WriteString("Each profile is a row of the table in `platform/profiles.go`; the core (package `uni`) reads it and\n")
	b.WriteString("never tests a platform's name. Tags in brackets are the public sources listed in\n")
	b.WriteString("[docs/behaviour.md](../docs/behaviour.md#sources); \"design N\" is decision N of\n")
	b.WriteString("[docs/design.md](../docs/design.md#decisions-where-platforms-disagree); \"decision\" marks a choice made\n")
	b.WriteString("where the sources are silent or contradict each other.\n\n")
	for _, p := range table {
		fmt.Fprintf(&b, "- `%s`: %s\n", p.Name, p.Summary)
	}
	b.WriteString("\n| rule | what it decides |")
	for _, p := range table {
		fmt.Fprintf(&b, " `%s` |", p.Name)
	}
	b.WriteString("\n|---|---|")
	for range table {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| %s | %s |", r.Name, r.Doc)
		for _, p := range table {
			cell := r.Value(p)
			if src := p.Sources[r.Name]; src != "" {
				cell += " [" + src + "]"
			}
			fmt.Fprintf(&b, " %s |", strings.ReplaceAll(cell, "|", "\\|"))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nSwitches of the project configuration (`uni.Config`, or `unisocket.config.json`):\n\n")
	b.WriteString("- `urlCheck: false` (`SkipURLCheck`): the developer tools' \"do not check domain names\" switch [W1]: no scheme,\n")
	b.WriteString("  IP, localhost or whitelist rule; the quota still applies.\n")
	b.WriteString("- `lanIP: true` (`AllowLANIP`): admit private-network IP literals where LANIP is yes [W1].\n")
	b.WriteString("- `testBuild: true` (`TestBuild`): accept ws:// where TestBuildWS is yes [T1].\n")
	b.WriteString("- `reservedSockets` (`ReservedSockets`): slots held by the vendor's own sockets (uni-push 2.0, the dev log echo)\n")
	b.WriteString("  that the quota does not give to the app [D1, D4].\n")
	b.WriteString("- `socketDomains` (`Domains`): the whitelist; on a profile without CheckDomain it applies when it is not empty.\n")
	return b.String()
}

// MarkdownSummary renders the profile table without its sources: one row
// per rule, one column per profile. The README shows it.
func MarkdownSummary() string {
	var b strings.Builder
	b.WriteString("| rule |")
	for _, p := range table {
		fmt.Fprintf(&b, " `%s` |", p.Name)
	}
	b.WriteString("\n|---|")
	for range table {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range Rules() {
		if r.Name == "QuotaErrMsg" {
			continue // too wide for a summary; PROFILES.md has it
		}
		fmt.Fprintf(&b, "| %s |", r.Doc)
		for _, p := range table {
			fmt.Fprintf(&b, " %s |", strings.ReplaceAll(r.Value(p), "|", "\\|"))
		}
		b.WriteString("\n")
	}
	return b.String()
}
