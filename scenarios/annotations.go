package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/annotations"
	"github.com/faultsim/faultsim/sim/node"
)

// annotationsCodec reads and writes the annotations model's fields: the
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
type annotationsCodec struct{}

func init() { codecs[annotations.Model.Name] = annotationsCodec{} }

func (annotationsCodec) keys() []string { return []string{"node", "pci", "faults", "options", "steps"} }

var (
	bdfPattern    = regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$`)
	vendorPattern = regexp.MustCompile(`^0x[0-9a-f]{4}$`)
	classPattern  = regexp.MustCompile(`^0x[0-9a-f]{6}$`)
	vfioModes     = []string{annotations.ModeGuestKernel, annotations.ModeVFIO}
	vfioPorts     = []string{annotations.NoPort, annotations.RootPort, annotations.SwitchPort, annotations.BridgePort}
)

func (annotationsCodec) parse(p *parser, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &annotations.Case{Node: node.Default(), Variant: variant, PCI: annotations.DefaultNode(), Config: annotations.DefaultConfig()}
	var err error
	if n := f["node"]; n != nil {
		if c.Node, err = p.node(n); err != nil {
			return nil, err
		}
	}
	if n := f["pci"]; n != nil {
		if c.PCI, err = p.pciFunctions(n); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		// The shim consumes no fault of the faults: section (its faults
		// are data faults, labels of the inputs they shaped); faults
		// refuses each with its line.
		if _, err := p.faults(n); err != nil {
			return nil, err
		}
	}
	if n := f["options"]; n != nil {
		if err := p.vfioOptions(n, &c.Config); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.errf(root, "steps", "missing: expected a list of create and delete steps")
	}
	if c.Steps, err = p.annotationSteps(n); err != nil {
		return nil, err
	}
	return c, nil
}

func (annotationsCodec) format(b *strings.Builder, mc models.Case) {
	c := mc.(*annotations.Case)
	formatNode(b, c.Node)
	formatListStart(b, "", "pci", len(c.PCI.Functions))
	for _, fn := range c.PCI.Functions {
		fmt.Fprintf(b, "  - {group: %d, bdf: %s, vendor: %s, class: %s, pcie: %t",
			fn.Group, dquote(fn.BDF), dquote(fn.Vendor), dquote(fn.Class), fn.PCIe)
		if fn.Fault != "" {
			fmt.Fprintf(b, ", fault: %s", fn.Fault)
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(b, "options: {vfio_mode: %s, cold_plug_vfio: %s, hot_plug_vfio: %s}\n",
		c.Config.VFIOMode, c.Config.ColdPlugVFIO, c.Config.HotPlugVFIO)
	formatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    id: %s\n", s.At, s.Op, quote(s.ID))
		if len(s.Faults) > 0 {
			fmt.Fprintf(b, "    faults: [%s]\n", strings.Join(s.Faults, ", "))
		}
		if s.Op == annotations.OpCreate {
			formatText(b, "    ", "spec", s.Spec)
		}
	}
}

// formatText writes a text field as a literal block when the block reads
// back byte for byte, else as a double-quoted string.
func formatText(b *strings.Builder, indent, key, text string) {
	if !blockSafe(text) {
		fmt.Fprintf(b, "%s%s: %s\n", indent, key, dquote(text))
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

func (p *parser) pciFunctions(n *yaml.Node) (annotations.Node, error) {
	var node annotations.Node
	if n.Kind != yaml.SequenceNode {
		return node, p.errf(n, "pci", "expected a list of PCI functions such as - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}")
	}
	for i, item := range n.Content {
		field := fmt.Sprintf("pci[%d]", i)
		f, err := p.fields(item, field, "group", "bdf", "vendor", "class", "pcie", "fault")
		if err != nil {
			return node, err
		}
		fn := annotations.PCIFunction{PCIe: true}
		g := f["group"]
		if g == nil {
			return node, p.errf(item, field+".group", "missing: expected the IOMMU group number (/dev/vfio/<group>)")
		}
		v, err := p.int32In(g, field+".group", 0, 65535)
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
				return node, p.errf(item, field+"."+spec.key, "missing: expected %s", spec.want)
			}
			if vn.Kind != yaml.ScalarNode || !spec.re.MatchString(vn.Value) {
				return node, p.errf(vn, field+"."+spec.key, "%q: expected %s", vn.Value, spec.want)
			}
			*spec.dst = vn.Value
		}
		if pc := f["pcie"]; pc != nil {
			b, err := p.boolean(pc, field+".pcie")
			if err != nil {
				return node, err
			}
			fn.PCIe = b
		}
		if lf := f["fault"]; lf != nil {
			spec, ok := faults.Lookup(lf.Value)
			if lf.Kind != yaml.ScalarNode || !ok || spec.Kind != faults.Data || !slices.Contains(p.allowed, lf.Value) {
				return node, p.errf(lf, field+".fault", "%q: expected the name of a data fault this model consumes (faultsim list faults)", lf.Value)
			}
			fn.Fault = lf.Value
		}
		if slices.ContainsFunc(node.Functions, func(o annotations.PCIFunction) bool { return o.BDF == fn.BDF }) {
			return node, p.errf(f["bdf"], field+".bdf", "%s is listed twice: expected each PCI function once", fn.BDF)
		}
		node.Functions = append(node.Functions, fn)
	}
	return node, nil
}

func (p *parser) vfioOptions(n *yaml.Node, cfg *annotations.Config) error {
	f, err := p.fields(n, "options", "vfio_mode", "cold_plug_vfio", "hot_plug_vfio")
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
			return p.errf(v, "options."+o.key, "%q: expected one of %s", v.Value, strings.Join(o.allow, ", "))
		}
		*o.dst = v.Value
	}
	return nil
}

func (p *parser) annotationSteps(n *yaml.Node) ([]annotations.Step, error) {
	var out []annotations.Step
	err := p.eachStep(n, true, []string{"at", "op", "id", "spec", "faults"}, func(it stepItem) error {
		item, f, field := it.node, it.f, it.field
		s := annotations.Step{At: it.at}
		var err error
		if s.Op, err = p.requiredIn(item, f, field, "op"); err != nil {
			return err
		}
		if s.Op != annotations.OpCreate && s.Op != annotations.OpDelete {
			return p.errf(f["op"], field+".op", "unknown operation %q: expected %s or %s", s.Op, annotations.OpCreate, annotations.OpDelete)
		}
		if s.ID, err = p.requiredIn(item, f, field, "id"); err != nil {
			return err
		}
		spec := f["spec"]
		switch {
		case s.Op == annotations.OpDelete && (spec != nil || f["faults"] != nil):
			return p.errf(item, field, "%s takes only at and id", annotations.OpDelete)
		case s.Op == annotations.OpCreate && spec == nil:
			return p.errf(item, field+".spec", "missing: expected the container's config.json, e.g. spec: |")
		case spec != nil && (spec.Kind != yaml.ScalarNode || spec.Tag == "!!null"):
			return p.errf(spec, field+".spec", "expected the config.json text as a string: write it as a block (spec: |) or quote it")
		case spec != nil:
			s.Spec = spec.Value
		}
		if fl := f["faults"]; fl != nil {
			if s.Faults, err = p.faultLabels(fl, field+".faults"); err != nil {
				return err
			}
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// faultLabels reads the names of the data faults that shaped a step.
func (p *parser) faultLabels(n *yaml.Node, field string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, field, "expected a list of data fault names such as [map-absent]")
	}
	var out []string
	for _, item := range n.Content {
		spec, ok := faults.Lookup(item.Value)
		if item.Kind != yaml.ScalarNode || !ok || spec.Kind != faults.Data || !slices.Contains(p.allowed, item.Value) {
			return nil, p.errf(item, field, "%q: expected the name of a data fault this model consumes (faultsim list faults)", item.Value)
		}
		out = append(out, item.Value)
	}
	return out, nil
}
