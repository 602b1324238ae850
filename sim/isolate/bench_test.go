package isolate

import "testing"

// BenchmarkChildRun is one request to a live child (the round trip race
// mode adds to a scenario) and, with restart, one that also starts the
// child (the cost after every death).
func BenchmarkChildRun(b *testing.B) {
	for _, restart := range []bool{false, true} {
		name := "live"
		if restart {
			name = "restart"
		}
		b.Run(name, func(b *testing.B) {
			c := &Child{}
			defer c.Close()
			for range b.N {
				if _, err := c.Run("test.ok", nil); err != nil {
					b.Fatal(err)
				}
				if restart {
					_ = c.Close()
				}
			}
		})
	}
}
