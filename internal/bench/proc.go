package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc: clock ticks of 1/100 s on
// every Linux architecture the project builds for (USER_HZ is part of the
// kernel's ABI, whatever the kernel's own tick rate).
const userHZ = 100

// ProcessCPU returns the CPU time (user plus system, all threads) that
// process pid has used, from /proc/<pid>/stat. It fails where there is no
// /proc (not Linux) or no such process.
func ProcessCPU(pid int) (time.Duration, error) {
	_, cpu, _, err := readStat(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	return cpu, err
}

// readStat reads a /proc/<pid>/stat file: the command name, the process's
// utime+stime, and its children's (those it has waited for: cutime+cstime).
func readStat(path string) (comm string, cpu, children time.Duration, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, 0, err
	}
	// "pid (comm) state ppid …": comm may hold spaces and parentheses, so
	// it ends at the last ')'. utime, stime, cutime and cstime are fields
	// 14 to 17.
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return "", 0, 0, fmt.Errorf("bench: %s: unexpected format", path)
	}
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 15 {
		return "", 0, 0, fmt.Errorf("bench: %s: unexpected format", path)
	}
	var t [4]uint64
	for i := range t {
		if t[i], err = strconv.ParseUint(f[11+i], 10, 64); err != nil {
			return "", 0, 0, fmt.Errorf("bench: %s: %w", path, err)
		}
	}
	tick := func(n uint64) time.Duration { return time.Duration(n) * time.Second / userHZ }
	return string(b[open+1 : end]), tick(t[0] + t[1]), tick(t[2] + t[3]), nil
}

// CommandCPU returns the CPU time used by every process whose command name
// is comm (e.g. "postgres": the postmaster and all its backends, whoever
// they serve), and how many there are. It counts each process's own time
// and its waited-for children's: a backend that ends between two calls
// moves its time to the postmaster, which waits for it, and is still
// counted (a client that closes and opens connections would otherwise hide
// their cost).
func CommandCPU(comm string) (time.Duration, int, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, 0, err
	}
	if len(dirs) == 0 {
		return 0, 0, errors.New("bench: no /proc")
	}
	var total time.Duration
	n := 0
	for _, d := range dirs {
		c, cpu, children, err := readStat(d)
		if err != nil || c != comm {
			continue // gone since the glob, or another command
		}
		total += cpu + children
		n++
	}
	return total, n, nil
}

// PeakRSS returns the most resident memory process pid has held (VmHWM of
// /proc/<pid>/status), in bytes.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bench: VmHWM of %d: %w", pid, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("bench: no VmHWM for process %d", pid)
}

// MachineCPU returns the busy and total CPU time of the machine, all cores
// together, since boot (the "cpu" line of /proc/stat; idle and iowait are
// not busy).
func MachineCPU() (busy, total time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0, errors.New("bench: /proc/stat: unexpected format")
	}
	var ticks, idle uint64
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: /proc/stat: %w", err)
		}
		if i >= 8 {
			break // guest times are already counted in user and nice
		}
		ticks += n
		if i == 3 || i == 4 {
			idle += n
		}
	}
	return time.Duration(ticks-idle) * time.Second / userHZ, time.Duration(ticks) * time.Second / userHZ, nil
}

// LoadAverage returns the machine's 1-minute load average.
func LoadAverage() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("bench: /proc/loadavg: empty")
	}
	return strconv.ParseFloat(f[0], 64)
}
