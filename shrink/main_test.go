package shrink

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }
