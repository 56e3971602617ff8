package csvio

// SetExportPageSize makes ExportFeedback read n items at a time until the returned
// function restores the default, so a test with a few items crosses pages.
func SetExportPageSize(n int) (restore func()) {
	old := exportPageSize
	exportPageSize = n
	return func() { exportPageSize = old }
}
