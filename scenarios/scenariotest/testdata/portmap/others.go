package portmap

import (
	"github.com/faultsim/faultsim/models/annotations"
	"github.com/faultsim/faultsim/models/cgroups"
)

// The other models' plug-in points, used the same way: a user's shim and
// sandbox cgroup controller (here the reference's, behind the plug-in
// point), and broken ones whose Delete does nothing.

// NewShim builds the shim.
func NewShim(n annotations.Node, cfg annotations.Config, log func(string, ...any)) annotations.Shim {
	return annotations.NewReference(n, cfg, log)
}

// NewLeakyShim builds the broken shim.
func NewLeakyShim(n annotations.Node, cfg annotations.Config, log func(string, ...any)) annotations.Shim {
	return leakyShim{annotations.NewReference(n, cfg, log)}
}

type leakyShim struct{ annotations.Shim }

func (leakyShim) Delete(string) error { return nil }

// NewController builds the controller.
func NewController(env *cgroups.Env) cgroups.Controller { return cgroups.NewReference(env) }

// NewLeakyController builds the broken controller.
func NewLeakyController(env *cgroups.Env) cgroups.Controller {
	return leakyController{cgroups.NewReference(env)}
}

type leakyController struct{ cgroups.Controller }

func (leakyController) Delete() error { return nil }
