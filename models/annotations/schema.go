package annotations

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim/node"
)

// codec reads and writes the annotations model's fields: the
// node's PCI functions, the shim's VFIO options, and containerd's requests
// with each config.json written out as it is, usually as a block:
//
//	pci:
//	  - {group: 12, bdf: "0000:41:00.0", vendor: "0x10de", class: "0x030200", pcie: true}
//	options: {vfio_mode: guest-kernel, cold_plug_vfio: root-port, hot_plug_vfio: no-port}
//	steps:
//	  - at: 0s
//	    op: create
//	    id: gpu-job
//	    spec: |
//	      {"ociVersion": "1.1.0", "linux": {"devices": [{"path": "/dev/vfio/12"}]}}
type codec struct{}

func (codec) Reference() schema.Reference { return scenarioFields }

var (
	bdfPattern    = regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$`)
	vendorPattern = regexp.MustCompile(`^0x[0-9a-f]{4}$`)
	classPattern  = regexp.MustCompile(`^0x[0-9a-f]{6}$`)
	vfioModes     = []string{ModeGuestKernel, ModeVFIO}
	vfioPorts     = []string{NoPort, RootPort, SwitchPort, BridgePort}
)

func (codec) Parse(p *schema.Decoder, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &Case{Node: node.Default(), Variant: variant, PCI: DefaultNode(), Config: DefaultConfig()}
	var err error
	if c.Node, err = p.NodeOf(f); err != nil {
		return nil, err
	}
	if n := f["pci"]; n != nil {
		if c.PCI, err = pciFunctions(p, n); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		// The shim consumes no fault of the faults: section (its faults
		// are data faults, labels of the inputs they shaped); faults
		// refuses each with its line.
		if _, err := p.Faults(n); err != nil {
			return nil, err
		}
	}
	if n := f["options"]; n != nil {
		if err := vfioOptions(p, n, &c.Config); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.Errf(root, "steps", "missing: expected a list of create and delete steps")
	}
	if c.Steps, err = annotationSteps(p, n); err != nil {
		return nil, err
	}
	return c, nil
}

func (codec) Format(b *strings.Builder, mc models.Case) {
	c := mc.(*Case)
	schema.FormatNode(b, c.Node)
	schema.FormatListStart(b, "", "pci", len(c.PCI.Functions))
	for _, fn := range c.PCI.Functions {
		fmt.Fprintf(b, "  - {group: %d, bdf: %s, vendor: %s, class: %s, pcie: %t",
			fn.Group, schema.DQuote(fn.BDF), schema.DQuote(fn.Vendor), schema.DQuote(fn.Class), fn.PCIe)
		if fn.Fault != "" {
			fmt.Fprintf(b, ", fault: %s", fn.Fault)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(b, "options: {vfio_mode: %s, cold_plug_vfio: %s, hot_plug_vfio: %s}\n",
		c.Config.VFIOMode, c.Config.ColdPlugVFIO, c.Config.HotPlugVFIO)
	schema.FormatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    id: %s\n", s.At, s.Op, schema.Quote(s.ID))
		if len(s.Faults) > 0 {
			fmt.Fprintf(b, "    faults: [%s]\n", strings.Join(s.Faults, ", "))
		}
		if s.Op == OpCreate {
			formatText(b, "    ", "spec", s.Spec)
		}
	}
}

// formatText writes a text field as a literal block when the block reads
// back byte for byte, else as a double-quoted string.
func formatText(b *strings.Builder, indent, key, text string) {
	if !blockSafe(text) {
		fmt.Fprintf(b, "%s%s: %s\n", indent, key, schema.DQuote(text))
		return
	}
	fmt.Fprintf(b, "%s%s: |\n", indent, key)
	for _, line := range strings.SplitAfter(text, "\n") {
		if line != "" {
			b.WriteString(indent + "  " + line)
		}
	}
}

// blockSafe reports whether a YAML literal block (clip chomping) keeps text
// exactly: one final newline, no empty or space-led first line, no
// trailing blanks, only printable characters and tabs.
func blockSafe(text string) bool {
	if !strings.HasSuffix(text, "\n") || strings.HasSuffix(text, "\n\n") || strings.HasPrefix(text, " ") {
		return false
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.TrimSpace(line) == "" || strings.TrimRight(line, " \t") != line {
			return false
		}
	}
	for _, r := range text {
		if r != '\n' && r != '\t' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func pciFunctions(p *schema.Decoder, n *yaml.Node) (Node, error) {
	var node Node
	if n.Kind != yaml.SequenceNode {
		return node, p.Errf(n, "pci", "expected a list of PCI functions such as - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}")
	}
	for i, item := range n.Content {
		field := fmt.Sprintf("pci[%d]", i)
		f, err := p.Fields(item, field, scenarioFields.Keys("pci[]")...)
		if err != nil {
			return node, err
		}
		fn := PCIFunction{PCIe: true}
		g := f["group"]
		if g == nil {
			return node, p.Errf(item, field+".group", "missing: expected the IOMMU group number (/dev/vfio/<group>)")
		}
		v, err := p.Int32In(g, field+".group", 0, 65535)
		if err != nil {
			return node, err
		}
		fn.Group = int(v)
		for _, spec := range []struct {
			key  string
			re   *regexp.Regexp
			want string
			dst  *string
		}{
			{"bdf", bdfPattern, "a PCI address such as 0000:41:00.0 (lower-case hex)", &fn.BDF},
			{"vendor", vendorPattern, "a vendor ID such as 0x10de", &fn.Vendor},
			{"class", classPattern, "a class code such as 0x030200", &fn.Class},
		} {
			vn := f[spec.key]
			if vn == nil {
				return node, p.Errf(item, field+"."+spec.key, "missing: expected %s", spec.want)
			}
			if vn.Kind != yaml.ScalarNode || !spec.re.MatchString(vn.Value) {
				return node, p.Errf(vn, field+"."+spec.key, "%q: expected %s", vn.Value, spec.want)
			}
			*spec.dst = vn.Value
		}
		if pc := f["pcie"]; pc != nil {
			b, err := p.Boolean(pc, field+".pcie")
			if err != nil {
				return node, err
			}
			fn.PCIe = b
		}
		if lf := f["fault"]; lf != nil {
			spec, ok := faults.Lookup(lf.Value)
			if lf.Kind != yaml.ScalarNode || !ok || spec.Kind != faults.Data || !slices.Contains(p.Allowed, lf.Value) {
				return node, p.Errf(lf, field+".fault", "%q: expected the name of a data fault this model consumes (faultsim list faults)", lf.Value)
			}
			fn.Fault = lf.Value
		}
		if slices.ContainsFunc(node.Functions, func(o PCIFunction) bool { return o.BDF == fn.BDF }) {
			return node, p.Errf(f["bdf"], field+".bdf", "%s is listed twice: expected each PCI function once", fn.BDF)
		}
		node.Functions = append(node.Functions, fn)
	}
	return node, nil
}

func vfioOptions(p *schema.Decoder, n *yaml.Node, cfg *Config) error {
	f, err := p.Fields(n, "options", scenarioFields.Keys("options")...)
	if err != nil {
		return err
	}
	for _, o := range []struct {
		key   string
		allow []string
		dst   *string
	}{{"vfio_mode", vfioModes, &cfg.VFIOMode}, {"cold_plug_vfio", vfioPorts, &cfg.ColdPlugVFIO}, {"hot_plug_vfio", vfioPorts, &cfg.HotPlugVFIO}} {
		v := f[o.key]
		if v == nil {
			continue
		}
		if v.Kind != yaml.ScalarNode || !slices.Contains(o.allow, v.Value) {
			return p.Errf(v, "options."+o.key, "%q: expected one of %s", v.Value, strings.Join(o.allow, ", "))
		}
		*o.dst = v.Value
	}
	return nil
}

func annotationSteps(p *schema.Decoder, n *yaml.Node) ([]Step, error) {
	var out []Step
	err := p.EachStep(n, true, scenarioFields.Keys("steps[]"), func(it schema.StepItem) error {
		item, f, field := it.Node, it.F, it.Field
		s := Step{At: it.At}
		var err error
		if s.Op, err = p.RequiredIn(item, f, field, "op"); err != nil {
			return err
		}
		if s.Op != OpCreate && s.Op != OpDelete {
			return p.Errf(f["op"], field+".op", "unknown operation %q: expected %s or %s", s.Op, OpCreate, OpDelete)
		}
		if s.ID, err = p.RequiredIn(item, f, field, "id"); err != nil {
			return err
		}
		spec := f["spec"]
		switch {
		case s.Op == OpDelete && (spec != nil || f["faults"] != nil):
			return p.Errf(item, field, "%s takes only at and id", OpDelete)
		case s.Op == OpCreate && spec == nil:
			return p.Errf(item, field+".spec", "missing: expected the container's config.json, e.g. spec: |")
		case spec != nil && (spec.Kind != yaml.ScalarNode || spec.Tag == "!!null"):
			return p.Errf(spec, field+".spec", "expected the config.json text as a string: write it as a block (spec: |) or quote it")
		case spec != nil:
			s.Spec = spec.Value
		}
		if fl := f["faults"]; fl != nil {
			if s.Faults, err = faultLabels(p, fl, field+".faults"); err != nil {
				return err
			}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// faultLabels reads the names of the data faults that shaped a step.
func faultLabels(p *schema.Decoder, n *yaml.Node, field string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.Errf(n, field, "expected a list of data fault names such as [map-absent]")
	}
	var out []string
	for _, item := range n.Content {
		spec, ok := faults.Lookup(item.Value)
		if item.Kind != yaml.ScalarNode || !ok || spec.Kind != faults.Data || !slices.Contains(p.Allowed, item.Value) {
			return nil, p.Errf(item, field, "%q: expected the name of a data fault this model consumes (faultsim list faults)", item.Value)
		}
		out = append(out, item.Value)
	}
	return out, nil
}
