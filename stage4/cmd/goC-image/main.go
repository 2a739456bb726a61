// Command goC-image is goC's image command (goC image import|pull|push|
// tag|ls|rm), which goC runs in its place from beside itself: the
// registry client lives here, so goC itself starts without it.
package main

import (
	"os"

	"goc.dev/shared/image/remote"
	"goc.dev/shared/state"
)

func main() { os.Exit(remote.Main(os.Args[1:], state.ImageInUse)) }
