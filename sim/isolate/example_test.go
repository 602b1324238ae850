package isolate

import (
	"fmt"
	"os"
)

func init() {
	Handle("example.exit", func([]byte) error { os.Exit(3); return nil })
}

// A request that ends the child comes back as how it died; the next one
// runs in a new child.
func ExampleChild() {
	c := &Child{}
	defer c.Close()
	d, err := c.Run("example.exit", nil)
	fmt.Println(d.Kind, d.ExitCode, err)
	d, err = c.Run("test.ok", nil)
	fmt.Println(d, err, c.Starts)
	// Output:
	// exit 3 <nil>
	// <nil> <nil> 2
}
