package remote

import "goc.dev/shared/image/layertest"

// entry and tarOf build the layers these tests pull.
type entry = layertest.Entry

var tarOf = layertest.Tar
