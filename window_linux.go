//go:build linux && (production || dev)

package main

/*
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <webkit2/webkit2.h>

// The kiosk is one page of its own files. WebKit's default cache model is a browser's:
// a memory cache of up to 128 MB on a PC with 2 GB or more, half of it for resources no
// page shows any more (every ticket's QR picture, a new address each time), a
// back-forward cache of whole pages and a disk cache of up to 500 MB. DOCUMENT_VIEWER
// keeps none of them; on GTK it turns the memory cache off.
static void bingzhanWebContext(void) {
	webkit_web_context_set_cache_model(webkit_web_context_get_default(), WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
}
*/
import "C"

import "runtime"

// setUpWebKit sets what Wails offers no option for on the web context its window
// will use, before the window exists. WebKit belongs to the thread that first calls
// it, and Wails runs GTK on the thread of the goroutine that calls wails.Run, so the
// caller is locked to its thread here for good.
func setUpWebKit() {
	runtime.LockOSThread()
	C.bingzhanWebContext()
}
