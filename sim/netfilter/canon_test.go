package netfilter

import (
	"strings"
	"testing"
)

// TestCanonicalRule: rules are kept as iptables-save prints them, which the
// fidelity tests check against the real iptables (FIDELITY.md).
func TestCanonicalRule(t *testing.T) {
	for _, tt := range []struct {
		family   Family
		in, want string
	}{
		{IPv4, "-m comment --comment x -p tcp -m tcp --dport 80 -d 127.0.0.1 -j KUBE-HP-X", "-m comment --comment x -p tcp -m tcp --dport 80 -d 127.0.0.1/32 -j KUBE-HP-X"},
		{IPv4, "-s 10.88.0.2 -d 10.88.0.2 -p tcp --dport 80 -j MASQUERADE", "-s 10.88.0.2/32 -d 10.88.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE"},
		{IPv6, "-s fd00::2 -d fd00::2 -p udp --dport 53 -j MASQUERADE", "-s fd00::2/128 -d fd00::2/128 -p udp -m udp --dport 53 -j MASQUERADE"},
		{IPv4, "-d 10.0.0.0/8 -p sctp -m sctp --sport 9 -j RETURN", "-d 10.0.0.0/8 -p sctp -m sctp --sport 9 -j RETURN"},
		{IPv4, "-m addrtype --dst-type LOCAL -j KUBE-HOSTPORTS", "-m addrtype --dst-type LOCAL -j KUBE-HOSTPORTS"},
		{IPv6, "-s ::ffff:10.0.0.1 -j RETURN", "-s ::ffff:10.0.0.1/128 -j RETURN"},
		{IPv6, "-d localhost -j RETURN", "-d localhost/128 -j RETURN"},
		{IPv4, "", ""},
	} {
		in := strings.Fields(tt.in)
		got := strings.Join(CanonicalRule(tt.family, in), " ")
		if got != tt.want {
			t.Errorf("CanonicalRule(%s, %q) = %q, want %q", tt.family, tt.in, got, tt.want)
		}
		if _, changed := canonical(tt.family, in); changed != (tt.in != tt.want) {
			t.Errorf("canonical(%q) reports changed = %v, want %v", tt.in, changed, tt.in != tt.want)
		}
	}
}

// TestIPTablesKeepsAndDeletesCanonicalRules: a rule appended as written
// is stored canonical, found by HasRule and deleted by either form.
func TestIPTablesKeepsAndDeletesCanonicalRules(t *testing.T) {
	written := strings.Fields("-s 10.88.0.2 -p tcp --dport 80 -j MASQUERADE")
	for _, del := range [][]string{written, CanonicalRule(IPv4, written)} {
		tab := newIPTables(IPv4)
		if err := tab.Apply([]IPTablesOp{{Kind: AppendRule, Chain: "POSTROUTING", Rule: written}}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(tab.Rules("POSTROUTING")[0], " "); got != "-s 10.88.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE" {
			t.Fatalf("stored rule = %q, want the canonical form", got)
		}
		if !tab.HasRule("POSTROUTING", written) {
			t.Fatal("HasRule does not find the rule by its written form")
		}
		if err := tab.Apply([]IPTablesOp{{Kind: DeleteRule, Chain: "POSTROUTING", Rule: del}}); err != nil {
			t.Fatalf("delete by %q: %v", strings.Join(del, " "), err)
		}
		if len(tab.Rules("POSTROUTING")) != 0 {
			t.Fatalf("delete by %q left %v", strings.Join(del, " "), tab.Rules("POSTROUTING"))
		}
	}
	if strings.Join(written, " ") != "-s 10.88.0.2 -p tcp --dport 80 -j MASQUERADE" {
		t.Fatalf("Apply changed the caller's rule: %v", written)
	}
}
