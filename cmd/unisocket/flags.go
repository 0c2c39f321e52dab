package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// Flags are parsed by github.com/spf13/pflag: GNU-style long (--name) and
// short (-n) flags, anywhere among the arguments, "--" ending them. Every
// subcommand reports a bad flag the same way: one line on stderr, exit 2.

// newFlagSet returns the flag set of subcommand name. Its errors are
// returned, not printed: parseFlags prints them in one line.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false // the help lists the flags in the order they are defined
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if to, ok := flagAliases[name]; ok {
			return pflag.NormalizedName(to)
		}
		return pflag.NormalizedName(name)
	})
	return fs
}

// parseFlags parses args into fs. When ok is false the caller exits with
// code: --help showed help on stdout, or the flags were wrong and one line
// on stderr says how.
func parseFlags(fs *pflag.FlagSet, args []string, stdout, stderr io.Writer, help func(io.Writer)) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		help(stdout)
		return exitOK, false
	case err != nil:
		return usageError(stderr, fs.Name(), "%v", err), false
	}
	return exitOK, true
}

// usageError prints a usage error of subcommand cmd and returns exitUsage.
func usageError(stderr io.Writer, cmd, format string, a ...any) int {
	fmt.Fprintf(stderr, "unisocket %s: %s (run 'unisocket %s --help' for usage)\n", cmd, fmt.Sprintf(format, a...), cmd)
	return exitUsage
}

// printHelp writes a subcommand's help: the text before the flags, the
// flags, then the text after them.
func printHelp(w io.Writer, fs *pflag.FlagSet, before, after string) {
	fmt.Fprint(w, before)
	fs.VisitAll(func(f *pflag.Flag) {
		arg, usage := pflag.UnquoteUsage(f)
		names := "    "
		if f.Shorthand != "" {
			names = "-" + f.Shorthand + ", "
		}
		fmt.Fprintf(w, "  %s--%s", names, f.Name)
		if arg != "" {
			fmt.Fprintf(w, " %s", arg)
		}
		switch f.DefValue {
		case "", "false", "0", "0s", "[]":
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "\n        %s\n", usage)
	})
	if after != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, after)
	}
}
