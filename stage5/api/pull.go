package api

// PullMessage is one line of a pull's progress stream (POST
// /images/pull?progress=true answers application/x-ndjson, a JSON object
// a line), in Docker's shape: a layer's status ("Pulling fs layer",
// "Downloading" with its progressDetail, "Pull complete", …) under its
// short digest as id, or the pull's own status without id. The last line
// carries the pulled image, or error if the pull failed after the stream
// began.
type PullMessage struct {
	Status         string          `json:"status,omitempty"`
	ID             string          `json:"id,omitempty"`
	ProgressDetail *ProgressDetail `json:"progressDetail,omitempty"`
	Error          string          `json:"error,omitempty"`
	Image          *Image          `json:"image,omitempty"`
}

// ProgressDetail is how far a layer's download is, in bytes.
type ProgressDetail struct {
	Current int64 `json:"current"`
	Total   int64 `json:"total"`
}
