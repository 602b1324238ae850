package campaign

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim/isolate"
)

func TestMain(m *testing.M) {
	isolate.Serve() // a child of race mode: answer requests and exit
	if v := os.Getenv(determinismChild); v != "" {
		// The second process of TestDeterminismSuite: print, exit.
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "%s=%q: want the number of scenarios per model\n", determinismChild, v)
			os.Exit(2)
		}
		printTraceHashes(os.Stdout, n)
		return
	}
	goleak.VerifyTestMain(models.Releasing(m))
}
