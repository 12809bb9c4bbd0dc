package oktago

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel send the server SIGTERM if this test
// process dies without stopping it (a go test -timeout panic, a kill), so
// no server outlives its test run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
