package web

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// staticHandler serves the embedded stylesheet and images under /static/.
// It lists no directory: a folder's address is unknown like any other
// missing file. A request for more than one byte range gets the whole file
// with 200: a multipart answer to thousands of one-byte ranges is many
// times the size of the request (GO-2026-6609), whatever the toolchain
// does about it, and no browser asks a stylesheet or an image for several
// ranges.
func staticHandler(files fs.FS) http.Handler {
	fileServer := http.FileServer(http.FS(files))
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if info, err := fs.Stat(files, name); err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		if ranges := r.Header.Values("Range"); len(ranges) > 1 || (len(ranges) == 1 && strings.Contains(ranges[0], ",")) {
			r.Header.Del("Range")
			r.Header.Del("If-Range")
		}
		fileServer.ServeHTTP(w, r)
	}))
}
