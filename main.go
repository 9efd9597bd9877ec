// Command lantian is the desktop and tablet app of 蓝天台账: county
// air-pollution action-plan registers kept offline and merged at the
// provincial server.
package main

import (
	"fmt"
	"os"

	"github.com/lantian-tz/lantian/app"
)

func main() {
	if err := app.Main(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lantian:", err)
		os.Exit(1)
	}
}
