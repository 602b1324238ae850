package node

import "testing"

// TestForgetVersionsEmptiesTheMemo: building a node remembers its tools'
// version strings; ForgetVersions, which models.Release calls, forgets them,
// and a node built afterwards is the same.
func TestForgetVersionsEmptiesTheMemo(t *testing.T) {
	s := Spec{Tools: []ToolSpec{{Name: "nft", Version: "1.0.9"}}}
	before, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	if rememberedVersions() == 0 {
		t.Fatal("building a node remembered no version string")
	}
	ForgetVersions()
	if n := rememberedVersions(); n != 0 {
		t.Fatalf("%d version strings remembered after ForgetVersions", n)
	}
	after, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := before.Dump(), after.Dump(); a != b {
		t.Fatalf("node after ForgetVersions:\n%s\nwant\n%s", b, a)
	}
}
