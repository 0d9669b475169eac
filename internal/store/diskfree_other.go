//go:build !unix

package store

// freeDiskBytes is unknown on systems without statfs; the disk check is
// then skipped and a full disk shows as failing writes only.
func freeDiskBytes(string) (uint64, bool) { return 0, false }
