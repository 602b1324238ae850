package models

import (
	"errors"

	"github.com/faultsim/faultsim/sim/node"
)

// Release is the owner of what runs keep for the next one, process-wide:
// each model's own (its Idle: pooled kernel resources, memos of its
// inputs) and the node's (the parsed version strings every model's node
// specs share). Call it when no run of these models is under way (a
// campaign at its end); runs made afterwards work as before.
func Release(ms ...*Model) error {
	var errs []error
	for _, m := range ms {
		if m.Idle != nil {
			errs = append(errs, m.Idle())
		}
	}
	node.ForgetVersions()
	return errors.Join(errs...)
}
