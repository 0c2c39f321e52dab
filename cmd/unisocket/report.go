package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/unisocket/unisocket/load"
)

const reportHelp = `Usage: unisocket report merge SUMMARY.json... [flags]

Merges the --summary-export files of processes that ran side by side (the
--segment I/N slices of one test) into the summary of the whole test:
counters add up, trends merge their HDR histograms, so percentiles are those
of all the samples. Prints the merged summary; thresholds are checked again.

Flags:
`

const reportExamples = `Examples:
  unisocket report merge seg1.json seg2.json --threshold 'uni_errors:count==0'

Exit status: 0 merged, every threshold passed; 99 a threshold failed;
1 a file could not be read or merged; 2 bad flags or arguments.
`

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report")
	var (
		export     string
		report     string
		thresholds []string
	)
	fs.StringVar(&export, "summary-export", "", "write the merged summary as JSON to `FILE`")
	fs.StringVar(&report, "report", "", "write the merged summary as an HTML page to `FILE` (no charts over time: a summary has no timeline)")
	fs.StringArrayVar(&thresholds, "threshold", nil, "`METRIC:EXPR` the merged summary must pass (repeat for more)")
	help := func(w io.Writer) { printHelp(w, fs, reportHelp, reportExamples) }
	if len(args) > 0 && args[0] == "help" {
		help(stdout)
		return exitOK
	}
	if code, ok := parseFlags(fs, args, stdout, stderr, help); !ok {
		return code
	}
	bad := func(format string, a ...any) int { return usageError(stderr, "report", format, a...) }
	args = fs.Args()
	if len(args) == 0 || args[0] != "merge" {
		return bad("want: unisocket report merge SUMMARY.json...")
	}
	files := args[1:]
	if len(files) == 0 {
		return bad("no summary given: unisocket report merge SUMMARY.json...")
	}
	var ths []load.Threshold
	for _, s := range thresholds {
		th, err := load.ParseThreshold(s)
		if err != nil {
			return bad("%v", err)
		}
		ths = append(ths, th)
	}
	var parts []*load.Summary
	for _, f := range files {
		s, err := readSummaryFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "unisocket report: %v\n", err)
			return exitFailure
		}
		parts = append(parts, s)
	}
	merged, err := load.Merge(parts...)
	if err != nil {
		fmt.Fprintf(stderr, "unisocket report: cannot merge: %v\n", err)
		return exitFailure
	}
	for _, th := range ths {
		merged.Thresholds = append(merged.Thresholds, th.Check(merged))
	}
	merged.WriteText(stdout)
	code := exitOK
	if export != "" {
		if err := writeSummary(export, merged); err != nil {
			fmt.Fprintf(stderr, "unisocket report: --summary-export: %v\n", err)
			code = exitFailure
		}
	}
	if report != "" {
		if err := writeReport(report, load.Report{Title: strings.Join(files, " + "), Created: time.Now(), Summary: merged}); err != nil {
			fmt.Fprintf(stderr, "unisocket report: --report: %v\n", err)
			code = exitFailure
		}
	}
	for _, t := range merged.Thresholds {
		if !t.OK {
			fmt.Fprintf(stderr, "unisocket report: threshold %s failed\n", t.Source)
			code = exitThresholds
		}
	}
	return code
}

// writeReport writes r as an HTML page to path.
func writeReport(path string, r load.Report) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteHTML(file); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// readSummaryFile reads a --summary-export file.
func readSummaryFile(path string) (*load.Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s load.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is not a summary from --summary-export: %v", path, err)
	}
	if s.Metrics == nil {
		return nil, fmt.Errorf("%s is not a summary from --summary-export: it has no metrics", path)
	}
	return &s, nil
}
