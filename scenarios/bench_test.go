package scenarios

import (
	"os"
	"testing"
)

// BenchmarkParse is parsing one scenario file of each model's codec.
func BenchmarkParse(b *testing.B) {
	for _, f := range []string{
		"corpus/incident-1-crio-1.33.0-crash.yaml",
		"corpus/incident-2-crun-1.16-first-signal-is-sigkill.yaml",
		"corpus/incident-3-al2-kata-3.12.0-crash.yaml",
		"corpus/incident-4-kata-3.8.0-nil-map.yaml",
	} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f[len("corpus/"):], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(f, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
