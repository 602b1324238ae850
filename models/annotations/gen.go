package annotations

import (
	"slices"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// GenOptions bound what Generate draws.
type GenOptions struct {
	MaxSteps   int // default 6
	MaxDevices int // VFIO groups per spec, default 2
}

// specMaps are the map fields of an OCI spec the nil-map faults target,
// found by reflection (annotations, linux.sysctl, linux.resources.unified,
// ...): the faults pick one, so annotations are no likelier than the rest.
var specMaps = slices.DeleteFunc(faults.MapSites(&specs.Spec{}), func(s faults.MapSite) bool { return s.InSlice })

// swarmKinds are the fault kinds the generator draws, in the order their
// swarm choices are drawn.
var swarmKinds = func() []string {
	var kinds []string
	for _, f := range groupFaults {
		kinds = append(kinds, f.Name())
	}
	for _, f := range deviceFaults {
		kinds = append(kinds, f.Name())
	}
	for _, f := range mapFaults {
		kinds = append(kinds, f.Name())
	}
	return kinds
}()

// The fault catalog's group, device and map faults, in name order.
var (
	groupFaults  = GroupFaults()
	deviceFaults = DeviceFaults()
	mapFaults    = faults.MapFaults()
)

// Generate draws a case: the shim's configuration, the node's IOMMU groups
// shaped by the group faults, and containerd requests, CRI-style (pod
// sandboxes and their containers, always with annotations) and ctr-run
// style (single containers, no annotations), whose config.json the device
// and map faults reshape. Every decision goes through c, value 0 the
// simplest, so a seed replays it and rapid shrinks it.
func Generate(c sim.Chooser, variant string, opt GenOptions) *Case {
	return generate(c, variant, opt, false)
}

// generate is Generate; fresh makes every linux.devices entry anew and
// renders every document rather than remember its text.
func generate(c sim.Chooser, variant string, opt GenOptions, fresh bool) *Case {
	if opt.MaxSteps == 0 {
		opt.MaxSteps = 6
	}
	if opt.MaxDevices == 0 {
		opt.MaxDevices = 2
	}
	cs := &Case{Node: node.Default(), Variant: variant, Config: DefaultConfig()}
	sw := modelkit.DrawSwarm(c, swarmKinds)
	if c.Intn(4) == 1 {
		cs.Config.VFIOMode = ModeVFIO
	}
	switch x := c.Intn(8); x {
	case 3:
		cs.Config.ColdPlugVFIO = SwitchPort
	case 4, 5, 6: // hot-plug to a root, switch or bridge port
		cs.Config.ColdPlugVFIO, cs.Config.HotPlugVFIO = NoPort, Ports[x-4]
	case 7:
		cs.Config.ColdPlugVFIO = NoPort
	}
	for n := range 1 + c.Intn(3) {
		g := GPUGroup(12+n, n)
		if c.Intn(3) == 1 {
			f := groupFaults[c.Intn(len(groupFaults))]
			if !sw.On(f.Name()) {
				cs.PCI.Functions = append(cs.PCI.Functions, g...)
				continue
			}
			g = f.ShapeGroup(c, g)
			for i := range g {
				g[i].Fault = f.Name()
			}
		}
		cs.PCI.Functions = append(cs.PCI.Functions, g...)
	}
	gen := &specGen{c: c, groups: cs.PCI.Groups(), maxDevices: opt.MaxDevices,
		dfaults: deviceFaults, mfaults: mapFaults, swarm: sw, fresh: fresh}
	var at time.Duration
	var pods, ids []string
	for i := 0; i < opt.MaxSteps; i++ {
		op := 1 + c.Intn(2)
		if i > 0 {
			if op = c.Intn(5); op == 0 {
				break
			}
		}
		at += time.Duration(c.Intn(2)) * time.Second
		var s Step
		switch {
		case op == 4 && len(ids) > 0:
			s = Step{At: at, Op: OpDelete, ID: ids[c.Intn(len(ids))]}
		case op == 3 && len(pods) > 0:
			pod := pods[c.Intn(len(pods))]
			s = gen.step(at, pod+"-c"+strconv.Itoa(len(ids)+1), pod, CRITypeContainer)
		case op == 2 || op == 3:
			s = gen.step(at, "pod"+strconv.Itoa(len(pods)+1), "", CRITypeSandbox)
			pods = append(pods, s.ID)
		default:
			s = gen.step(at, "ctr"+strconv.Itoa(len(ids)+1), "", "")
		}
		if s.Op == OpCreate {
			ids = append(ids, s.ID)
		}
		cs.Steps = append(cs.Steps, s)
	}
	return cs
}

type specGen struct {
	c          sim.Chooser
	groups     []int
	maxDevices int
	dfaults    []DeviceFault
	mfaults    []faults.MapFault
	swarm      modelkit.Swarm
	// fresh makes every linux.devices entry anew rather than share
	// vfioDevices, and renders every document (TestFreshDrawsTheSameCases).
	fresh bool
	key   []byte // stepKey's buffer
}

// step draws a create: criType "" is ctr run's spec (no annotations),
// "sandbox" a pod sandbox's and "container" a pod container's, with the
// annotations containerd's CRI plugin writes (DefaultCRIAnnotations).
func (g *specGen) step(at time.Duration, id, pod, criType string) Step {
	c := g.c
	s := Step{At: at, Op: OpCreate, ID: id}
	devices := faults.Arr(make([]*faults.JSON, 0, g.maxDevices)...)
	for range g.maxDevices {
		x := c.Intn(1 + len(g.groups))
		if x == 0 {
			break
		}
		devices.Items = append(devices.Items, g.vfioDevice(g.groups[x-1]))
	}
	if c.Intn(4) == 1 {
		f := g.dfaults[c.Intn(len(g.dfaults))]
		if g.swarm.On(f.Name()) && f.ShapeDevices(c, devices, g.groups) {
			s.Faults = append(s.Faults, f.Name())
		}
	}
	if c.Intn(3) == 1 {
		f := g.mfaults[c.Intn(len(g.mfaults))]
		if site := specMaps[c.Intn(len(specMaps))]; g.swarm.On(f.Name()) {
			doc := specDoc(id, pod, criType, devices)
			if f.ShapeJSON(c, doc, site) {
				s.Faults = append(s.Faults, f.Name())
			}
			s.Spec = doc.Render()
			return s
		}
	}
	s.Spec = g.render(id, pod, criType, devices)
	return s
}

// specDoc is the config.json of a create, before map faults: the document
// a step renders.
func specDoc(id, pod, criType string, devices *faults.JSON) *faults.JSON {
	arg, cgroup := "nvidia-smi", "/default/"+id
	doc := objWithRoom(6, faults.Member{Key: "ociVersion", Value: faults.Str("1.1.0")})
	if criType != "" {
		cgroup = "/kubepods/" + id
		sandbox := id
		if criType == CRITypeSandbox {
			arg = "/pause"
		} else {
			sandbox = pod
		}
		ann := []faults.Member{ // sorted, as encoding/json writes a map
			{Key: CRIContainerName, Value: faults.Str("cuda")},
			{Key: CRIContainerType, Value: faults.Str(criType)},
			{Key: CRIImageName, Value: faults.Str("nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04")},
			{Key: CRISandboxID, Value: faults.Str(sandbox)},
			{Key: CRISandboxName, Value: faults.Str(sandbox)},
			{Key: CRISandboxNS, Value: faults.Str("default")},
			{Key: CRISandboxUID, Value: faults.Str("uid-" + sandbox)},
		}
		if criType == CRITypeSandbox {
			ann = slices.DeleteFunc(ann, func(m faults.Member) bool { return m.Key == CRIContainerName || m.Key == CRIImageName })
		}
		doc.Set("annotations", faults.Obj(ann...))
	}
	doc.Set("process", faults.Obj(faults.Member{Key: "args", Value: faults.Arr(faults.Str(arg))}, faults.Member{Key: "cwd", Value: faults.Str("/")}))
	doc.Set("root", faults.Obj(faults.Member{Key: "path", Value: faults.Str("rootfs")}))
	linux := objWithRoom(2, faults.Member{Key: "cgroupsPath", Value: faults.Str(cgroup)})
	if len(devices.Items) > 0 {
		linux.Set("devices", devices)
	}
	doc.Set("linux", linux)
	return doc
}

// objWithRoom is faults.Obj with room for n members, so that the members
// set after it do not grow it one by one.
func objWithRoom(n int, members ...faults.Member) *faults.JSON {
	return faults.Obj(append(make([]faults.Member, 0, n), members...)...)
}
