package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/campaign"
)

// k8sObject is the part of a Kubernetes manifest the test reads.
type k8sObject struct {
	Kind string `yaml:"kind"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Env []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Command      []string `yaml:"command"`
					Args         []string `yaml:"args"`
					VolumeMounts []struct {
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// readJob returns the Job of a manifest file.
func readJob(t *testing.T, path string) k8sObject {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var o k8sObject
		if err := dec.Decode(&o); err != nil {
			t.Fatalf("%s: no Job (%v)", path, err)
		}
		if o.Kind == "Job" {
			return o
		}
	}
}

// runJobScript runs a Job's container script as its pod would, with the
// built binary on PATH and the given environment over the manifest's.
func runJobScript(t *testing.T, job k8sObject, bin string, env map[string]string) (int, string) {
	t.Helper()
	c := job.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 2 || c.Command[0] != "/bin/sh" || len(c.Args) != 1 {
		t.Fatalf("container runs %v %v, want /bin/sh -c SCRIPT", c.Command, c.Args)
	}
	cmd := exec.Command("/bin/sh", "-c", c.Args[0])
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, e := range c.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return exitCode(t, err), string(out)
}

// TestIndexedJobShardsAndMerge runs the Indexed Job's script for both
// indexes of a 2-shard campaign (and once more for index 0, which resumes),
// then the merge Job's script, as Kubernetes would run them on a shared
// volume.
func TestIndexedJobShardsAndMerge(t *testing.T) {
	job := readJob(t, "../../deploy/k8s/fuzz-job.yaml")
	if job.Spec.CompletionMode != "Indexed" || job.Spec.Completions < 2 || job.Spec.Parallelism != job.Spec.Completions {
		t.Fatalf("fuzz job: completionMode %q, completions %d, parallelism %d: want an Indexed Job running every shard at once",
			job.Spec.CompletionMode, job.Spec.Completions, job.Spec.Parallelism)
	}
	c := job.Spec.Template.Spec.Containers[0]
	shards := ""
	for _, e := range c.Env {
		if e.Name == "SHARDS" {
			shards = e.Value
		}
	}
	if shards != itoa(int64(job.Spec.Completions)) || !strings.Contains(c.Args[0], "$JOB_COMPLETION_INDEX/$SHARDS") {
		t.Fatalf("SHARDS=%q for %d completions, or the script does not shard by JOB_COMPLETION_INDEX", shards, job.Spec.Completions)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/findings" {
		t.Fatalf("findings volume mounted at %v, want /findings", c.VolumeMounts)
	}
	bin := buildBinary(t)
	findings := t.TempDir()
	env := map[string]string{"SHARDS": "2", "MODELS": "hostport", "VARIANTS": "crio-1.33.0", "DURATION": "1s", "WORKERS": "1", "FINDINGS": findings}
	for _, idx := range []string{"0", "1", "0"} {
		env["JOB_COMPLETION_INDEX"] = idx
		if code, out := runJobScript(t, job, bin, env); code != 0 {
			t.Fatalf("shard %s: exit %d, want 0 (findings count as success)\n%s", idx, code, out)
		}
	}
	st, err := campaign.LoadState(filepath.Join(findings, "shard-0"))
	if err != nil || st.Sessions != 2 || st.Shard != "0/2" {
		t.Fatalf("shard 0 after a retry: %v, sessions %d, shard %s; want 2 sessions of 0/2", err, st.Sessions, st.Shard)
	}
	merge := readJob(t, "../../deploy/k8s/merge-job.yaml")
	if code, out := runJobScript(t, merge, bin, map[string]string{"FINDINGS": findings}); code != 0 {
		t.Fatalf("merge job: exit %d\n%s", code, out)
	}
	merged, err := campaign.LoadState(filepath.Join(findings, "merged"))
	if err != nil || len(merged.Findings) == 0 || merged.Sessions != 3 {
		t.Fatalf("merged state: %v, %d findings, %d sessions; want the findings of 3 sessions", err, len(merged.Findings), merged.Sessions)
	}
	replayAll(t, filepath.Join(findings, "merged"), merged)
}
