package js

import (
	"sync"

	"github.com/dop251/goja"
)

// maxPrograms bounds a Programs: past it, modules are compiled but not
// kept, so a process that runs ever-new sources cannot grow without end.
const maxPrograms = 1024

// Programs keeps compiled modules for Runtimes to share (Options.Programs):
// a load test runs one script in a fresh Runtime per iteration, and
// compiling it would otherwise be done each time. A compiled goja program
// belongs to no runtime, so any number of Runtimes may run it at once. A
// module is kept by file name and source, so an edited file is compiled
// again; a module that does not compile is not kept. The zero value is
// ready to use; a Programs is safe for concurrent use.
type Programs struct {
	mu sync.Mutex
	m  map[programKey]*goja.Program
}

type programKey struct{ file, src string }

// get returns the program of src in file abs, compiling it with compile
// the first time. A nil Programs compiles every time.
func (p *Programs) get(abs, src string, compile func(abs, src string) (*goja.Program, error)) (*goja.Program, error) {
	if p == nil {
		return compile(abs, src)
	}
	key := programKey{abs, src}
	p.mu.Lock()
	prg, ok := p.m[key]
	p.mu.Unlock()
	if ok {
		return prg, nil
	}
	// Compiled outside the lock: two Runtimes may both compile a new
	// module once, rather than wait for each other.
	prg, err := compile(abs, src)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.m == nil {
		p.m = map[programKey]*goja.Program{}
	}
	if len(p.m) < maxPrograms {
		p.m[key] = prg
	}
	p.mu.Unlock()
	return prg, nil
}
