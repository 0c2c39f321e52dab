// Package kubernetes holds no Go code: its directory ships the manifests
// that run `unisocket load` on a Kubernetes cluster (an Indexed Job, one
// pod per segment, and the ConfigMap of the script), and its test checks
// them: decoded strictly with the Kubernetes API types, and the Job's
// command run locally for each index.
package kubernetes
