// The renderer of docs/pictures (make pictures): a module of its own,
// outside go.work (run the go command here with GOWORK=off), so that
// Graphviz-in-WebAssembly and its image libraries stay out of goC's
// modules.
module goc.dev/docs/pictures/render

go 1.26.0

require github.com/goccy/go-graphviz v0.2.10

require (
	github.com/disintegration/imaging v1.6.2 // indirect
	github.com/flopp/go-findfont v0.1.0 // indirect
	github.com/fogleman/gg v1.3.0 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/tetratelabs/wazero v1.10.1 // indirect
	golang.org/x/image v0.21.0 // indirect
	golang.org/x/text v0.19.0 // indirect
)
