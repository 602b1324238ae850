// Package all registers every model: importing it is the one line a model
// needs outside its own directory. Scenario files, campaigns and the
// faultsim command know the models registered here.
package all

import (
	// Each model registers itself (models.Register) when imported.
	_ "github.com/faultsim/faultsim/models/annotations"
	_ "github.com/faultsim/faultsim/models/cgroups"
	_ "github.com/faultsim/faultsim/models/hostname"
	_ "github.com/faultsim/faultsim/models/hostport"
	_ "github.com/faultsim/faultsim/models/signals"
)
