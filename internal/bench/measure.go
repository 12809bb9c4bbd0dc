package bench

import (
	"os"
	"time"
)

// Probe names what a run measures besides its own figures: the server's
// process (0: none, e.g. a server on another machine) and the command name
// of the database's processes ("" : none, e.g. SQLite inside the server).
type Probe struct {
	ServerPID int
	DBCommand string
}

// Sample is what a Probe read at one moment. A figure whose source could
// not be read (no /proc, the process gone) is marked absent.
type Sample struct {
	At               time.Time
	Server, DB, Self time.Duration // CPU time used so far
	HasServer, HasDB bool
	DBProcesses      int
	Busy, Total      time.Duration // the machine's CPU time, all cores
	HasMachine       bool
	Load             float64 // 1-minute load average
	HasLoad, HasSelf bool
}

// Sample reads the CPU times and the load now.
func (p Probe) Sample() Sample {
	s := Sample{At: time.Now()}
	var err error
	if p.ServerPID > 0 {
		s.Server, err = ProcessCPU(p.ServerPID)
		s.HasServer = err == nil
	}
	if p.DBCommand != "" {
		s.DB, s.DBProcesses, err = CommandCPU(p.DBCommand)
		s.HasDB = err == nil && s.DBProcesses > 0
	}
	s.Self, err = ProcessCPU(os.Getpid())
	s.HasSelf = err == nil
	s.Busy, s.Total, err = MachineCPU()
	s.HasMachine = err == nil
	s.Load, err = LoadAverage()
	s.HasLoad = err == nil
	return s
}
