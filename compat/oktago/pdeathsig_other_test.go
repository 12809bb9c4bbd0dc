//go:build !linux

package oktago

import "os/exec"

// dieWithParent has no portable equivalent off Linux; TestMain still stops
// every server on a normal exit.
func dieWithParent(cmd *exec.Cmd) {}
