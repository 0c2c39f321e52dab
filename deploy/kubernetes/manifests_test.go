package kubernetes_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// decode reads a manifest into v, refusing fields the API type lacks.
func decode(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func loadJob(t *testing.T) (*batchv1.Job, *corev1.Container) {
	t.Helper()
	var job batchv1.Job
	decode(t, "job.yaml", &job)
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Fatalf("job.yaml is %s %s, want batch/v1 Job", job.APIVersion, job.Kind)
	}
	if len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(job.Spec.Template.Spec.Containers))
	}
	return &job, &job.Spec.Template.Spec.Containers[0]
}

func env(c *corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestJobManifest(t *testing.T) {
	job, c := loadJob(t)
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Error("the Job is not Indexed: pods would get no JOB_COMPLETION_INDEX")
	}
	segments, err := strconv.Atoi(env(c, "SEGMENTS"))
	if err != nil || segments < 1 {
		t.Fatalf("SEGMENTS = %q, want a number", env(c, "SEGMENTS"))
	}
	if spec.Completions == nil || int(*spec.Completions) != segments || spec.Parallelism == nil || int(*spec.Parallelism) != segments {
		t.Errorf("completions %v, parallelism %v; want both = SEGMENTS (%d), so every segment runs at once", spec.Completions, spec.Parallelism, segments)
	}
	if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q: a segment that restarts would run its slice twice", spec.Template.Spec.RestartPolicy)
	}
	ann := spec.Template.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("scrape annotations %v", ann)
	}
	_, port, _ := strings.Cut(env(c, "METRICS_ADDR"), ":")
	if ann["prometheus.io/port"] != port || len(c.Ports) != 1 || strconv.Itoa(int(c.Ports[0].ContainerPort)) != port {
		t.Errorf("metrics port: annotation %q, METRICS_ADDR %q, container ports %v; want one port everywhere", ann["prometheus.io/port"], env(c, "METRICS_ADDR"), c.Ports)
	}
	if !strings.HasPrefix(env(c, "METRICS_ADDR"), "0.0.0.0:") {
		t.Errorf("METRICS_ADDR %q: Prometheus scrapes the pod's IP, so listen on 0.0.0.0", env(c, "METRICS_ADDR"))
	}
	var cm corev1.ConfigMap
	decode(t, "configmap.yaml", &cm)
	vol := spec.Template.Spec.Volumes
	if len(vol) != 1 || vol[0].ConfigMap == nil || vol[0].ConfigMap.Name != cm.Name {
		t.Errorf("the scripts volume does not mount ConfigMap %q: %+v", cm.Name, vol)
	}
	if len(c.VolumeMounts) != 1 || cm.Data[filepath.Base(env(c, "SCRIPT"))] == "" || filepath.Dir(env(c, "SCRIPT")) != c.VolumeMounts[0].MountPath {
		t.Errorf("SCRIPT %q is not a file of the ConfigMap mounted at %v", env(c, "SCRIPT"), c.VolumeMounts)
	}
}

// The Job's shell command, run here for each index with the pod's
// environment (the target left empty: the embedded server; a short run),
// gives segments 1/N … N/N, and the ConfigMap's script runs on the
// manifest's platform.
func TestJobCommandPerIndex(t *testing.T) {
	_, c := loadJob(t)
	if len(c.Command) != 2 || c.Command[0] != "/bin/sh" || len(c.Args) != 1 {
		t.Fatalf("command %q args %q: want /bin/sh -c and one script", c.Command, c.Args)
	}
	script, ok := strings.CutPrefix(c.Args[0], "exec unisocket ")
	if !ok {
		t.Fatalf("args %q: want exec unisocket …", c.Args[0])
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "unisocket")
	build := exec.Command("go", "build", "-o", bin, "./cmd/unisocket")
	build.Dir = "../.." // the unisocket module, beside this one
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var cm corev1.ConfigMap
	decode(t, "configmap.yaml", &cm)
	js := filepath.Join(dir, "chat.js")
	if err := os.WriteFile(js, []byte(cm.Data["chat.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	segments, _ := strconv.Atoi(env(c, "SEGMENTS"))
	for i := range segments {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", "exec "+strconv.Quote(bin)+" "+script)
		cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+strconv.Itoa(i))
		for _, e := range c.Env {
			cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
		}
		cmd.Env = append(cmd.Env, "TARGET=", "SCRIPT="+js, "VUS=8", "DURATION=1s", "METRICS_ADDR=127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("index %d: %v\n%s", i, err, out)
		}
		seg := "segment " + strconv.Itoa(i+1) + "/" + strconv.Itoa(segments) + " ran"
		for _, want := range []string{seg, "Prometheus metrics at http://127.0.0.1:", "loading the embedded server at wss://", "rtt", "{ code:1000 }"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("index %d: the output lacks %q:\n%s", i, want, out)
			}
		}
	}
}
