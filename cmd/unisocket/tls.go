package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// tlsConfig builds the TLS configuration of --cafile, --cert,
// --key and --insecure; nil (the system's roots) when none is given. The
// same configuration checks an https:// proxy.
func tlsConfig(cafile, certFile, keyFile string, insecure bool) (*tls.Config, error) {
	if cafile == "" && certFile == "" && !insecure {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cafile != "" {
		pemData, err := os.ReadFile(cafile)
		if err != nil {
			return nil, fmt.Errorf("--cafile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("--cafile %s holds no PEM certificate", cafile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" {
		if keyFile == "" {
			keyFile = certFile // one PEM file holding both, as curl allows
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("--cert %s / --key %s: %w", certFile, keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if insecure {
		cfg.InsecureSkipVerify = true //nolint:gosec // asked for with --insecure
	}
	return cfg, nil
}
