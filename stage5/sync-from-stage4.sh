#!/bin/bash
# Stage 5's goC is stage 4's runtime: copy it over and re-apply what stage 5
# adds (OnStart, the shim verb, its version). e2e/stages_test.go fails when
# the copy drifts. Run: make sync-stage5
set -e
cd "$(dirname "$0")/.."
for f in child.go ops.go signals.go parent.go config.go $(cd stage4/internal/container && ls *.go | grep -v -E '^(child|ops|signals|parent|config)\.go$'); do
  sed 's#goc.dev/stage4/#goc.dev/stage5/#g' stage4/internal/container/$f > stage5/internal/container/$f
done
python3 - <<'PY'
p='stage5/internal/container/config.go'
s=open(p).read()
a='''	Foreground bool
}'''
assert a in s
s=s.replace(a,'''	Foreground bool

	// OnStart, if set, is called with the container's address ("" without
	// a bridge) once it runs (goCd's shim records it).
	OnStart func(ip string)
}''',1)
open(p,'w').write(s)
p='stage5/internal/container/parent.go'
s=open(p).read()
a='''	started(st)
	defer stopped(st) // after the deferred destroy above: the container is gone'''
assert a in s
s=s.replace(a,a+'''
	if o.OnStart != nil {
		o.OnStart(res.IP)
	}''',1)
open(p,'w').write(s)
PY
gofmt -l stage5
# cmd/goC: stage 4's verbs; stage 5 adds the shim and its own version.
for f in exec.go runc.go; do
  sed 's#goc.dev/stage4/#goc.dev/stage5/#g' stage4/cmd/goC/$f > stage5/cmd/goC/$f
done
sed 's#goc.dev/stage4/#goc.dev/stage5/#g' stage4/cmd/goC/main.go > stage5/cmd/goC/main.go
python3 - <<'PY'
p='stage5/cmd/goC/main.go'
s=open(p).read()
for a,b in [
  ('// Command goC is stage 4 of the goC container runtime: OCI bundles and the', "// Command goC is stage 5's low-level runtime (stage 4's, and the shim that\n// goCd runs per container). Stage 4 of the goC container runtime: OCI bundles and the"),
  ('const version = "0.4.0-stage4"', 'const version = "0.5.0-stage5"'),
  ('verb != "help" && ', 'verb != "help" && verb != "shim" && '),
  ('	case "run":\n		return cmdRun(g, rest)', '	case "run":\n		return cmdRun(g, rest)\n	case "shim":\n		return cmdShim(g, rest)'),
]:
    assert a in s, a
    s=s.replace(a,b,1)
open(p,'w').write(s)
PY
gofmt -l stage5
